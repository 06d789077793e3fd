from everytouch.staff import views, views_departures, views_messages

urlpatterns = [*views.urlpatterns, *views_messages.urlpatterns, *views_departures.urlpatterns]
