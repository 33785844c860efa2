from django.contrib import admin

from notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["template", "to_email", "created_at", "sent_at", "attempts"]
    list_filter = ["template", ("sent_at", admin.EmptyFieldListFilter)]
    # no context: it may hold a receipt code
    fields = ["template", "to_email", "language", "created_at", "sent_at", "attempts", "last_error"]
    # the stubs type ``fields`` as groups (nested lists), ``readonly_fields`` as names
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request):
        return False
