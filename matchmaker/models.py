"""Import every domain's models so SQLAlchemy's metadata (and Alembic) knows them all."""

from . import singleline  # noqa: F401  (String values stay on one line, at every flush)
from .accounts.models import User  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .calendar.models import CalendarFeed  # noqa: F401
from .changes import ChangeCounter  # noqa: F401
from .desk.models import Absence, CheckIn, EventBoard, MeetingReport  # noqa: F401
from .desk.proposal_models import ReplanProposal  # noqa: F401
from .events.models import (  # noqa: F401
    Event,
    MeetingSession,
    ProgrammeAttendance,
    ProgrammeItem,
    Table,
)
from .mailings.models import (  # noqa: F401
    Mailing,
    MailPreference,
    OutboxMail,
    ReminderSent,
    ReminderSettings,
)
from .meetings.models import Meeting, MeetingParticipant, MeetingRequest  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .outcomes.models import (  # noqa: F401
    OutcomeMail,
    OutcomeSettings,
    SurveyAnswer,
    SurveyResponse,
)
from .participants.models import (  # noqa: F401
    Favourite,
    Opportunity,
    Organisation,
    Participant,
    Unavailability,
)
from .planning.models import PublishedMeeting, ScheduleRevision, SolverRun  # noqa: F401
from .teams.models import TeamInvitation  # noqa: F401
from .threads.models import ThreadMailNotice, ThreadPost  # noqa: F401
from .visits.models import Visit, VisitOption, VisitPlace, VisitWaitlist, VisitWish  # noqa: F401
