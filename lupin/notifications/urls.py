from django.urls import path

from lupin.notifications import views

app_name = "notifications"

urlpatterns = [
    path("dev/mail/", views.dev_mail, name="dev_mail"),
    path("dev/mail/<int:pk>/", views.dev_mail_detail, name="dev_mail_detail"),
]
