from django.contrib.auth import views as auth_views
from django.urls import path

from everytouch.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.no_role, name="no_role"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
]
