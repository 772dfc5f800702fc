from django.urls import path

from lupin.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
]
