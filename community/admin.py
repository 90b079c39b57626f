"""Community in the admin: committees and members, organisations and ratings
(import through the workbench's chunked import, export masked and audited by
the core's SafeExportMixin).  Elections and topics are read-only here: their
procedure runs through the workbench's services."""

from django.contrib import admin

from civil_affairs.admin import AuditedAdmin, SafeExportMixin

from .models import Committee, CommitteeMember, Election, Grid, NeighbourhoodGroup, Rating, SocialOrg, Topic
from .resources import CommitteeMemberResource, RatingResource, SocialOrgResource


class ReadOnly(AuditedAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grid)
class GridAdmin(AuditedAdmin):
    list_display = ["name", "region", "worker"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]


@admin.register(NeighbourhoodGroup)
class GroupAdmin(AuditedAdmin):
    list_display = ["name", "grid", "leader"]
    raw_id_fields = ["grid"]


@admin.register(Committee)
class CommitteeAdmin(ReadOnly):
    list_display = ["region", "term_start", "term_end", "current"]
    list_filter = ["current"]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(SafeExportMixin, AuditedAdmin):
    resource_classes = [CommitteeMemberResource]
    import_kind = "community_member"
    change_list_template = "admin/registry_change_list.html"
    list_display = ["person", "post", "committee", "term_start", "term_end"]
    list_filter = ["post"]
    raw_id_fields = ["committee", "person"]
    show_full_result_count = False


@admin.register(SocialOrg)
class SocialOrgAdmin(SafeExportMixin, AuditedAdmin):
    resource_classes = [SocialOrgResource]
    import_kind = "community_org"
    change_list_template = "admin/registry_change_list.html"
    list_display = ["name", "kind", "region", "registered_on", "grade", "grade_until"]
    list_filter = ["kind", "grade"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]
    show_full_result_count = False


@admin.register(Rating)
class RatingAdmin(SafeExportMixin, ReadOnly):
    resource_classes = [RatingResource]
    import_kind = "community_rating"
    change_list_template = "admin/registry_change_list.html"
    list_display = ["org", "applied_on", "state", "score", "grade", "valid_until"]
    list_filter = ["state", "grade"]


@admin.register(Election)
class ElectionAdmin(ReadOnly):
    list_display = ["region", "election_day", "state", "turnout", "valid"]
    list_filter = ["state"]


@admin.register(Topic)
class TopicAdmin(ReadOnly):
    list_display = ["title", "region", "state", "due_on", "progress"]
    list_filter = ["state"]
