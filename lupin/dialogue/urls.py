from django.urls import path

from lupin.dialogue.views import buyer, public, report, supplier

app_name = "dialogue"

D = "dialogues/<int:pk>/"

urlpatterns = [
    # The public notice, feed and calendar files.
    path("dialogues/", public.dialogue_list, name="list"),
    path("dialogues/feed.atom", public.dialogue_feed, name="feed"),
    path(D, public.dialogue_detail, name="detail"),
    path(D + "deadlines.ics", public.deadlines_ics, name="deadlines_ics"),
    path(
        D + "conferences/<int:conference_pk>/event.ics",
        public.conference_ics,
        name="conference_ics",
    ),
    path(D + "lottery/", public.lottery_record, name="lottery"),
    # Suppliers taking part.
    path(D + "register/", supplier.register, name="register"),
    path(D + "conferences/<int:conference_pk>/signup/", supplier.signup, name="signup"),
    path(
        D + "conferences/<int:conference_pk>/signup/cancel/",
        supplier.signup_cancel,
        name="signup_cancel",
    ),
    path(D + "slots/<int:slot_pk>/book/", supplier.book, name="book"),
    path(D + "booking/cancel/", supplier.cancel_booking, name="cancel_booking"),
    path(D + "slots/request/", supplier.request_slots, name="request_slots"),
    path(D + "meeting.ics", supplier.meeting_ics, name="meeting_ics"),
    path(D + "questions/", supplier.ask, name="ask"),
    path(D + "input/", supplier.written_input, name="input"),
    path(D + "materials/<int:material_pk>/", supplier.material_download, name="material_download"),
    path(D + "minutes/", supplier.my_minutes, name="my_minutes"),
    # The buyer running the dialogue.
    path("projects/<int:project_pk>/dialogue/new/", buyer.dialogue_create, name="create"),
    path(D + "edit/", buyer.dialogue_edit, name="edit"),
    path(D + "publish/", buyer.dialogue_publish, name="publish"),
    path(D + "finish/", buyer.dialogue_finish, name="finish"),
    path(D + "cancel/", buyer.dialogue_cancel, name="cancel"),
    path(D + "manage/", buyer.manage, name="manage"),
    path(D + "conferences/new/", buyer.conference_add, name="conference_add"),
    path(
        D + "conferences/<int:conference_pk>/edit/", buyer.conference_edit, name="conference_edit"
    ),
    path(D + "materials/new/", buyer.material_add, name="material_add"),
    path(D + "slots/", buyer.slots, name="slots"),
    path(D + "slots/<int:slot_pk>/delete/", buyer.slot_delete, name="slot_delete"),
    path(D + "lottery/draw/", buyer.draw, name="draw"),
    path(D + "questions/<int:question_pk>/answer/", buyer.answer, name="answer"),
    path(D + "questions/<int:question_pk>/duplicate/", buyer.duplicate, name="duplicate"),
    path(D + "clarifications/new/", buyer.clarification, name="clarification"),
    path(D + "meetings/<int:booking_pk>/minutes/", buyer.minutes, name="minutes"),
    path(D + "inputs/<int:input_pk>/", buyer.input_download, name="input_download"),
    path(D + "report/", report.report, name="report"),
    path(D + "report.csv", report.report_csv, name="report_csv"),
]
