from everytouch.staff.departures import views as departures
from everytouch.staff.directory import views as directory
from everytouch.staff.messages import views as messages

urlpatterns = [*directory.urlpatterns, *messages.urlpatterns, *departures.urlpatterns]
