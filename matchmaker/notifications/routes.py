from flask_login import current_user

from ..access import user_required
from ..extensions import db
from ..web import counts_changed, render
from . import bp
from .services import mark_all_read, recent_notifications


@bp.get("/notifications")
@user_required
def index():
    notes = recent_notifications(current_user)
    return render("notifications/index.html", notifications=notes)


@bp.get("/notifications/badge")
@user_required
def badge():
    """The unread count alone (base.html's badge fetches it when counts change)."""
    return render("notifications/_badge.html")


@bp.post("/notifications/read")
@user_required
def read_all():
    mark_all_read(current_user)
    db.session.commit()
    return counts_changed(
        render(
            "notifications/index.html",
            "notifications/_list.html",
            notifications=recent_notifications(current_user),
        )
    )
