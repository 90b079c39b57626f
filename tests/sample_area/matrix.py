"""The sample area's rows of the permission matrix (collected by tests/matrix.py)."""

from civil_affairs.models import Role
from tests.matrix import expect

ROWS = {
    # its one workbench page: the roles its capability sample_view names
    "sample:index": (lambda o: "/work/sample/", "get", expect({Role.INSTITUTION_STAFF, Role.BUREAU_ADMIN})),
    # its one residents' service: residents only
    "sample_portal:apply": (lambda o: "/my/sample/apply/", "get", expect({Role.RESIDENT})),
}
