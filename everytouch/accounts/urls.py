from django.urls import path

from everytouch.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.no_role, name="no_role"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/sessions/", views.session_list, name="login_sessions"),
    path("account/sessions/<int:pk>/end/", views.session_end, name="login_session_end"),
    path(
        "account/sessions/end-others/", views.session_end_others, name="login_sessions_end_others"
    ),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("account/lockouts/", views.lockout_list, name="login_lockouts"),
    path("account/lockouts/unlock/", views.lockout_unlock, name="login_unlock"),
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
]
