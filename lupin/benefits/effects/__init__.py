"""The effect report: pages, downloads and charts built from `lupin.benefits.report`."""
