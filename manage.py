#!/usr/bin/env python
from lupin.__main__ import main

if __name__ == "__main__":
    main()
