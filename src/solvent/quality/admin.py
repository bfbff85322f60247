"""Back office for QA: reviews and coaching notes are read-only here (the desk's QA pages and the
practice floor write them through ``quality.services``, each with its audit entry)."""

from django.contrib import admin

from solvent.core.admin_audit import ReadOnlyAdmin
from solvent.quality.models import CoachingNote, QaReview


@admin.register(QaReview)
class QaReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "source", "agent", "reviewer", "score", "passed", "created_at")
    list_filter = ("source", "passed", "scorecard_version")
    date_hierarchy = "created_at"


@admin.register(CoachingNote)
class CoachingNoteAdmin(ReadOnlyAdmin):
    list_display = ("id", "agent", "author", "review", "created_at", "acknowledged_at")
    date_hierarchy = "created_at"
