"""Demo data: three broker firms holding the whole Lexington issue for 40 client accounts.

Fictional firms and people. The positions add up to the $27,412,000 outstanding, and the four
largest holders hold $20,477,000 (74.7%), as in the press release. Loaded by `load_demo`; the
demo logins exist only where that command has been run.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.db import transaction
from stdnum.us import ein, ssn

from exchange_office import clock
from notes.models import ExchangeOffer
from notes.services import offer_load_seed
from tenders.accounts.models import (
    AccountOwner,
    BrokerFirm,
    ClientAccount,
    Position,
    Representative,
)
from tenders.accounts.roles import operations_role_grant
from tenders.accounts.services import account_set_tin
from tenders.accounts.validators import validate_account_fields
from tenders.approvals.models import HeldInstruction, Proposal, ProposalKind
from tenders.approvals.services import proposal_reject
from tenders.instructions.models import Instruction
from tenders.instructions.services import InstructionInput, SignatureInput, WithdrawalNoticeInput
from tenders.intake.services import (
    held_instruction_approve,
    instruction_amend,
    instruction_submit,
    instruction_withdraw,
)
from tenders.ledger.services import PositionMove, positions_post
from tenders.offers.decisions import offer_decision_propose
from tenders.online.models import ClientSubmission
from tenders.online.services import (
    OnlineInput,
    client_link_issue,
    client_submission_approve,
    client_submission_create,
)
from tenders.submissions.models import AgentReplyKind, AgentSubmissionItem
from tenders.submissions.replies import agent_replies_import
from tenders.submissions.selectors import submission_plan
from tenders.submissions.services import agent_submission_record
from tenders.submissions.simulator import SimulatedReply, agent_simulator_file

NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class DemoFirm:
    key: str
    name: str
    dtc: str
    address: str
    phone: str
    email: str
    cutoff_banking_days_before: int
    cutoff_time: time
    # Four eyes: instructions above this wait for a supervisor of the firm (None: no second
    # approval; the demo's supervisor `sup` is at Hudson & Broad).
    second_approval_threshold: int | None = None
    # The channel to the exchange agent: a plainly fictional BIC (DEM... for demo; a location
    # code ending in 0 is SWIFT's mark of a test BIC) and the format the firm records.
    bic: str = ""
    agent_format: str = "seev033"


@dataclass(frozen=True)
class DemoAccount:
    firm: str
    number: str
    owners: tuple[str, ...]
    address: str
    city: str
    state: str
    postal_code: str
    phone: str
    principal: int


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    first_name: str
    last_name: str
    firm: str | None  # None: operations staff
    supervisor: bool = False  # approves the firm's large and late instructions


FIRMS = (
    DemoFirm(
        "hudson",
        "Hudson & Broad Securities LLC",
        "0901",
        "40 Broad Street, 12th Floor\nNew York, NY 10004",
        "+12125550101",
        "operations@hudsonbroad.example",
        1,
        time(17, 0),
        second_approval_threshold=1_000_000,
        bic="DEMHUS30",
        agent_format="seev033",
    ),
    DemoFirm(
        "mercer",
        "Mercer Street Brokerage Inc.",
        "0902",
        "1 Mercer Plaza\nJersey City, NJ 07302",
        "+12015550102",
        "backoffice@mercerstreet.example",
        2,
        time(12, 0),
        bic="DEMMUS30",
        agent_format="mt565",
    ),
    DemoFirm(
        "lakeshore",
        "Lakeshore Capital Markets Corp.",
        "0903",
        "200 West Jackson Boulevard\nChicago, IL 60606",
        "+13125550103",
        "reorg@lakeshorecm.example",
        0,
        time(12, 0),
        bic="DEMLUS30",
        agent_format="seev033",
    ),
)

LOGINS = (
    DemoLogin("rep", "rep-demo-2001", "Rachel", "Porter", "hudson"),
    DemoLogin("rep2", "rep2-demo-2001", "Marcus", "Webb", "mercer"),
    DemoLogin("ops", "ops-demo-2001", "Olivia", "Sandoval", None),
    DemoLogin("sup", "sup-demo-2001", "Sofia", "Lindgren", "hudson", supervisor=True),
    DemoLogin("ops2", "ops2-demo-2001", "Owen", "Brandt", None),
)

# The client whose own page `make run` prints a link to (they have not answered yet).
DEMO_CLIENT = "HB-100003"

_A = DemoAccount
# fmt: off
ACCOUNTS = (
    # The four largest holders: $20,477,000 together, 74.7% of the issue.
    _A("hudson", "HB-100001", ("Keystone Mutual Insurance Company",), "1500 Market Street", "Philadelphia", "PA", "19102", "+12155550111", 7_250_000),
    _A("mercer", "MS-200001", ("Harbor High Yield Fund LP",), "100 Federal Street", "Boston", "MA", "02110", "+16175550112", 5_600_000),
    _A("hudson", "HB-100002", ("Delaware Valley Pension Trust",), "1201 North Market Street", "Wilmington", "DE", "19801", "+13025550113", 4_127_000),
    _A("lakeshore", "LC-300001", ("Northfield Capital Partners LP",), "300 North LaSalle Drive", "Chicago", "IL", "60654", "+13125550114", 3_500_000),
    # Hudson & Broad: individuals and small institutions.
    _A("hudson", "HB-100003", ("Eleanor J. Whitfield",), "12 Elm Street", "Scarsdale", "NY", "10583", "+19145550121", 125_000),
    _A("hudson", "HB-100004", ("Robert A. Chen", "Linda M. Chen"), "88 Orchard Lane", "Greenwich", "CT", "06830", "+12035550122", 250_000),
    _A("hudson", "HB-100005", ("Samuel O. Adeyemi",), "4 Riverside Drive, Apt 9C", "New York", "NY", "10023", "+12125550123", 1_000),
    _A("hudson", "HB-100006", ("Margaret L. Doyle",), "230 Prospect Avenue", "Montclair", "NJ", "07042", "+19735550124", 5_000),
    _A("hudson", "HB-100007", ("Ferris Family Foundation",), "600 Fifth Avenue", "New York", "NY", "10020", "+12125550125", 480_000),
    _A("hudson", "HB-100008", ("Thomas K. Nguyen",), "17 Beacon Hill Road", "Newton", "MA", "02459", "+16175550126", 75_000),
    _A("hudson", "HB-100009", ("Gloria Ramirez",), "902 Ocean Drive", "Miami Beach", "FL", "33139", "+13055550127", 40_000),
    _A("hudson", "HB-100010", ("Albright Charitable Trust",), "55 Water Street", "New York", "NY", "10041", "+12125550128", 310_000),
    _A("hudson", "HB-100011", ("David S. Katz",), "31 Maple Avenue", "Ridgewood", "NJ", "07450", "+12015550129", 15_000),
    _A("hudson", "HB-100012", ("Patricia H. Olsen",), "8 Lakeview Terrace", "Stamford", "CT", "06902", "+12035550130", 2_000),
    _A("hudson", "HB-100013", ("Winston G. Reyes",), "410 Peachtree Street", "Atlanta", "GA", "30308", "+14045550131", 180_000),
    _A("hudson", "HB-100014", ("Harriet B. Lowell",), "77 Chestnut Street", "Baltimore", "MD", "21201", "+14105550132", 90_000),
    # Mercer Street.
    _A("mercer", "MS-200002", ("Garden State Teachers Annuity Fund",), "50 West State Street", "Trenton", "NJ", "08608", "+16095550141", 600_000),
    _A("mercer", "MS-200003", ("Colin P. Murphy",), "19 Harbor View", "Hoboken", "NJ", "07030", "+12015550142", 274_000),
    _A("mercer", "MS-200004", ("Anita Desai",), "2210 Sand Hill Road", "Menlo Park", "CA", "94025", "+16505550143", 20_000),
    _A("mercer", "MS-200005", ("Bayou Credit Opportunities LLC",), "700 Louisiana Street", "Houston", "TX", "77002", "+17135550144", 150_000),
    _A("mercer", "MS-200006", ("Janet R. Kowalski",), "65 Main Street", "Buffalo", "NY", "14203", "+17165550145", 8_000),
    _A("mercer", "MS-200007", ("Pioneer Valley Savings Bank",), "1 Monarch Place", "Springfield", "MA", "01144", "+14135550146", 425_000),
    _A("mercer", "MS-200008", ("Luis F. Ortega",), "1450 Brickell Avenue", "Miami", "FL", "33131", "+13055550147", 60_000),
    _A("mercer", "MS-200009", ("Helen W. Park",), "3 Juniper Court", "Princeton", "NJ", "08540", "+16095550148", 33_000),
    _A("mercer", "MS-200010", ("Quaker Hill Associates",), "2 Penn Center", "Philadelphia", "PA", "19102", "+12155550149", 100_000),
    _A("mercer", "MS-200011", ("George E. Abernathy",), "14 Old Post Road", "Rye", "NY", "10580", "+19145550150", 3_000),
    _A("mercer", "MS-200012", ("Seaboard Fixed Income Partners",), "1000 Wilson Boulevard", "Arlington", "VA", "22209", "+17035550151", 210_000),
    _A("mercer", "MS-200013", ("Irene Castellano",), "58 Warren Street", "Boston", "MA", "02119", "+16175550152", 47_000),
    # Lakeshore.
    _A("lakeshore", "LC-300002", ("Great Lakes Casualty Company",), "1 Cleveland Center", "Cleveland", "OH", "44114", "+12165550161", 900_000),
    _A("lakeshore", "LC-300003", ("Peter J. Lindqvist",), "42 Lake Shore Drive", "Evanston", "IL", "60201", "+18475550162", 12_000),
    _A("lakeshore", "LC-300004", ("Twin Cities Growth & Income Fund",), "80 South Eighth Street", "Minneapolis", "MN", "55402", "+16125550163", 350_000),
    _A("lakeshore", "LC-300005", ("Maureen T. Sullivan",), "915 Woodward Avenue", "Detroit", "MI", "48226", "+13135550164", 66_000),
    _A("lakeshore", "LC-300006", ("Rocky Mountain Distressed Debt LP",), "1700 Lincoln Street", "Denver", "CO", "80203", "+13035550165", 500_000),
    _A("lakeshore", "LC-300007", ("Kenji Watanabe",), "500 Pine Street", "Seattle", "WA", "98101", "+12065550166", 28_000),
    _A("lakeshore", "LC-300008", ("Desert Sun Retirement Plan",), "2 North Central Avenue", "Phoenix", "AZ", "85004", "+16025550167", 140_000),
    _A("lakeshore", "LC-300009", ("Ruth A. Goldberg",), "120 Green Bay Road", "Winnetka", "IL", "60093", "+18475550168", 4_000),
    _A("lakeshore", "LC-300010", ("Prairie State Insurance Company",), "1 State Farm Plaza", "Bloomington", "IL", "61710", "+13095550169", 700_000),
    _A("lakeshore", "LC-300011", ("Carolina Mutual Holdings",), "301 South Tryon Street", "Charlotte", "NC", "28202", "+17045550170", 225_000),
    _A("lakeshore", "LC-300012", ("Victor M. Alvarez",), "1600 Congress Avenue", "Austin", "TX", "78701", "+15125550171", 95_000),
    _A("lakeshore", "LC-300013", ("Buckeye Municipal Employees Fund",), "88 East Broad Street", "Columbus", "OH", "43215", "+16145550172", 412_000),
)
# fmt: on


@dataclass(frozen=True)
class DemoInstruction:
    """A step in an account's history: (account, when, action, amount or None for ALL)."""

    account: str
    at: datetime
    action: str  # "submit", "amend" or "withdraw"
    amount: int | None = None


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2001, 8, day, hour, minute, tzinfo=NEW_YORK)


# Received before the demo's Aug 20, 2001: the four largest holders tender all, as they told
# the company they would; a few others tender, one amends, one withdraws.
INSTRUCTIONS = (
    DemoInstruction("HB-100001", _at(7, 10, 15), "submit"),
    DemoInstruction("MS-200001", _at(7, 11, 40), "submit"),
    DemoInstruction("HB-100002", _at(8, 9, 30), "submit"),
    DemoInstruction("LC-300001", _at(8, 14, 5), "submit"),
    DemoInstruction("HB-100007", _at(9, 16, 20), "submit", 400_000),
    DemoInstruction("MS-200002", _at(10, 10, 0), "submit"),
    DemoInstruction("LC-300002", _at(13, 11, 45), "submit"),
    DemoInstruction("LC-300010", _at(14, 15, 10), "submit", 500_000),
    DemoInstruction("HB-100010", _at(14, 9, 50), "submit"),
    DemoInstruction("HB-100010", _at(16, 13, 25), "amend", 300_000),
    DemoInstruction("MS-200007", _at(15, 10, 30), "submit"),
    DemoInstruction("MS-200007", _at(17, 12, 0), "withdraw"),
)

# For the consummation scenario: the small holders who never answer ($35,000 in all, well
# inside the $274,000 the minimum condition leaves untendered).
NEVER_ANSWER = ("HB-100005", "HB-100012", "MS-200011", "LC-300009", "HB-100006", "MS-200006",
                "LC-300003")  # fmt: skip
CHANGES_MIND = "LC-300010"
CONDITIONS_MET_AT = datetime(2001, 9, 4, 16, 0, tzinfo=NEW_YORK)
# Invented for the demo (the public record holds no time for the files or the answers): each
# firm's file sent at 10:00 a.m. on Sep 4, 2001, the agent's status advice (written by the
# agent SIMULATOR) at 2:00 p.m. and imported by operations at 2:30 p.m. the same day.
FILES_SENT_AT = datetime(2001, 9, 4, 10, 0, tzinfo=NEW_YORK)
STATUS_ADVISED_AT = datetime(2001, 9, 4, 14, 0, tzinfo=NEW_YORK)
STATUS_IMPORTED_AT = datetime(2001, 9, 4, 14, 30, tzinfo=NEW_YORK)

_ENTITY = re.compile(
    r"\b(Company|Fund|LP|LLC|Trust|Bank|Plan|Partners|Associates|Holdings|Foundation|Corp)\b"
)


def demo_tin(index: int, owner: str) -> tuple[str, str]:
    """A valid, made-up TIN: an EIN for an entity, an SSN for a person."""
    if _ENTITY.search(owner):
        return "EIN", ein.format(f"13{5_550_000 + index * 7919:07d}")
    return "SSN", ssn.format(f"{201 + index:03d}{11 + index:02d}{4_000 + index * 97:04d}")


def _login(spec: DemoLogin, firms: dict[str, BrokerFirm]) -> User:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
        },
    )
    if created:
        user.set_password(spec.password)
        user.save(update_fields=["password"])
    if spec.firm is None:
        # The same path as `manage.py grant_operations ops --reveal-tin` on any install.
        operations_role_grant(user=user, reveal_tin=True)
    else:
        Representative.objects.get_or_create(user=user, defaults={"firm": firms[spec.firm]})
        if spec.supervisor:
            user.user_permissions.add(
                Permission.objects.get(
                    content_type__app_label="tenders", codename="supervise_instructions"
                )
            )
    return user


def instruction_input(account: ClientAccount, step: DemoInstruction) -> InstructionInput:
    owners = list(account.owners.all())
    return InstructionInput(
        choice="ALL" if step.amount is None else "AMOUNT",
        amount=None if step.amount is None else Decimal(step.amount),
        form_date=step.at.date(),
        address=f"{account.address_line1}\n{account.city}, {account.state} {account.postal_code}",
        phone=str(account.phone),
        tin_type=account.tin_type,
        tin="",
        signatures=tuple(SignatureInput(o.pk, o.name, True) for o in owners),
    )


def _seed_instructions(offer: ExchangeOffer, users: dict[str, User]) -> None:
    """Record the demo's instructions through the services, at their 2001 business times."""
    if Instruction.objects.filter(offer=offer).exists():
        return
    for step in INSTRUCTIONS:
        record_step(offer, step, users)


def record_step(offer: ExchangeOffer, step: DemoInstruction, users: dict[str, User]) -> None:
    """One step of a client's instruction, by the firm's representative (operations where
    the firm has no demo login), at the step's business time."""
    representatives = _representatives()
    account = ClientAccount.objects.get(account_number=step.account)
    by = representatives.get(account.firm_id, users["ops"])
    with clock.frozen_at(step.at):
        live = Instruction.objects.filter(
            account=account, offer=offer, status__in=["received", "submitted"]
        ).first()
        if step.action == "submit":
            recorded = instruction_submit(
                account=account, offer=offer, data=instruction_input(account, step), by=by
            )
            if isinstance(recorded, HeldInstruction):
                _supervisor_approves(recorded, step)
            return
        assert live is not None, f"{step.account}: no open instruction to {step.action}"
        if step.action == "amend":
            recorded = instruction_amend(
                instruction=live,
                expected_version=live.version,
                data=instruction_input(account, step),
                by=by,
            )
            if isinstance(recorded, HeldInstruction):
                _supervisor_approves(recorded, step)
        else:
            # The client's signed letter of withdrawal, dated the day it is recorded.
            notice = WithdrawalNoticeInput(
                method="letter",
                received_on=step.at.date(),
                signatures=tuple(
                    SignatureInput(owner.pk, owner.name, True) for owner in account.owners.all()
                ),
                attested=True,
            )
            instruction_withdraw(
                instruction=live, expected_version=live.version, by=by, notice=notice
            )


def _representatives() -> dict[int, User]:
    """Each firm's representative who enters its demo instructions (not its supervisor)."""
    chosen: dict[int, User] = {}
    for membership in Representative.objects.select_related("user").order_by("user__username"):
        if not membership.user.has_perm("tenders.supervise_instructions"):
            chosen.setdefault(membership.firm_id, membership.user)
    return chosen


def _supervisor_approves(held: HeldInstruction, step: DemoInstruction) -> None:
    """A large instruction the representative entered, approved by the firm's supervisor half
    an hour later (it counts as received when entered)."""
    supervisor = next(
        r.user
        for r in Representative.objects.filter(firm=held.account.firm).select_related("user")
        if r.user.has_perm("tenders.supervise_instructions")
    )
    with clock.frozen_at(step.at + timedelta(minutes=30)):
        held_instruction_approve(held=held, by=supervisor)


# A client who answered online from her letter's link, approved by her representative.
ONLINE_CLIENT = "HB-100013"


def _seed_online(offer: ExchangeOffer, users: dict[str, User]) -> None:
    if ClientSubmission.objects.filter(offer=offer).exists():
        return
    account = ClientAccount.objects.get(account_number=ONLINE_CLIENT)
    with clock.frozen_at(_at(16, 14, 20)):
        submission = client_submission_create(
            link=client_link_issue(offer=offer, account=account),
            data=OnlineInput(
                kind="tender",
                choice="ALL",
                amount=None,
                names={owner.pk: owner.name for owner in account.owners.all()},
                address=f"{account.address_line1}\n{account.city}, {account.state} "
                f"{account.postal_code}",
                phone=str(account.phone),
                esign_consent=True,
                ip_address="198.51.100.23",
                user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 14_6 like Mac OS X) Safari/604.1",
            ),
        )
    with clock.frozen_at(_at(16, 16, 5)):
        client_submission_approve(submission=submission, by=_representatives()[account.firm_id])


def _seed_proposals(offer: ExchangeOffer, users: dict[str, User]) -> None:
    """One decision four eyes turned down: an early extension ops proposed and ops2 rejected
    (the minimum was within reach; they would decide after the cutoffs)."""
    if Proposal.objects.filter(offer=offer).exists():
        return
    with clock.frozen_at(_at(17, 16, 0)):
        proposal = offer_decision_propose(
            kind=ProposalKind.EXTEND,
            offer=offer,
            params={
                "new_expiration": datetime(2001, 9, 17, 17, 0, tzinfo=NEW_YORK),
                "reason": "Two of the four largest holders have not tendered yet.",
                "announcement": "Lexington Precision extends its exchange offer to September 17.",
            },
            by=users["ops"],
        )
    with clock.frozen_at(_at(17, 17, 15)):
        proposal_reject(
            proposal=proposal,
            by=users["ops2"],
            note="Too early: they told the company they will tender. Decide after the cutoffs.",
        )


@transaction.atomic
def load_demo() -> ExchangeOffer:
    """Create whatever of the demo is missing; rows that exist are left as they are."""
    offer, users = load_demo_book()
    _seed_instructions(offer, users)
    _seed_online(offer, users)
    _seed_proposals(offer, users)
    return offer


def load_demo_book() -> tuple[ExchangeOffer, dict[str, User]]:
    """The offer, the three firms, their logins, the 40 accounts and their positions: the
    demo without any instruction (the 2001 replay records its own)."""
    offer = offer_load_seed(slug="lexington-2001")
    firms = {}
    for firm_spec in FIRMS:
        firms[firm_spec.key], _ = BrokerFirm.objects.get_or_create(
            dtc_participant_number=firm_spec.dtc,
            defaults={
                "name": firm_spec.name,
                "address": firm_spec.address,
                "phone": firm_spec.phone,
                "email": firm_spec.email,
                "cutoff_banking_days_before": firm_spec.cutoff_banking_days_before,
                "cutoff_time": firm_spec.cutoff_time,
                "second_approval_threshold": firm_spec.second_approval_threshold,
                "bic": firm_spec.bic,
                "agent_format": firm_spec.agent_format,
            },
        )
    users = {login.username: _login(login, firms) for login in LOGINS}
    opening: list[PositionMove] = []
    for index, spec in enumerate(ACCOUNTS):
        # The demo's accounts obey the fields' rules, as the admin and the feed enforce them.
        validate_account_fields(
            account_number=spec.number,
            owners=spec.owners,
            address_line1=spec.address,
            address_line2="",
            city=spec.city,
        )
        account, created = ClientAccount.objects.get_or_create(
            firm=firms[spec.firm],
            account_number=spec.number,
            defaults={
                "address_line1": spec.address,
                "city": spec.city,
                "state": spec.state,
                "postal_code": spec.postal_code,
                "country": "US",
                "phone": spec.phone,
                "email": f"{spec.number.lower()}@clients.example",
            },
        )
        if created:
            AccountOwner.objects.bulk_create(
                AccountOwner(account=account, sequence=n, name=name)
                for n, name in enumerate(spec.owners, start=1)
            )
            tin_type, tin = demo_tin(index, spec.owners[0])
            account_set_tin(account=account, tin_type=tin_type, tin=tin, by=users["ops"])
        if not Position.objects.filter(account=account, security=offer.old_security).exists():
            opening.append(
                PositionMove(
                    account_id=account.pk,
                    firm_id=account.firm_id,
                    security=offer.old_security,
                    principal=Decimal(spec.principal),
                    held=None,
                )
            )
    # The book's positions enter the ledger as of the offer's record date, so that the books
    # read as of any day of the offer (the replay consummates in 2001) hold them.
    positions_post(
        moves=opening, by=users["ops"], description="the demo's book", on=offer.record_date
    )
    return offer, users


def _send_and_acknowledge(offer: ExchangeOffer, ops: User) -> None:
    """Each firm's file sent, then the agent SIMULATOR's status advice for it imported, at the
    demo's invented times; a firm with nothing due (or already answered) is left as it is."""
    firms = BrokerFirm.objects.order_by("dtc_participant_number")
    with clock.frozen_at(FILES_SENT_AT):
        for firm in firms:
            if submission_plan(offer=offer, firm=firm, file_format=firm.agent_format).messages:
                agent_submission_record(
                    offer=offer, firm=firm, file_format=firm.agent_format, by=ops
                )
    for firm in firms:
        unanswered = AgentSubmissionItem.objects.filter(
            submission__offer=offer, submission__firm=firm
        ).exclude(replies__kind=AgentReplyKind.STATUS)
        if not unanswered.exists():
            continue
        with clock.frozen_at(STATUS_ADVISED_AT):
            content = agent_simulator_file(
                offer=offer, firm=firm, reply=SimulatedReply.STATUS, unanswered_only=True
            )
        with clock.frozen_at(STATUS_IMPORTED_AT):
            agent_replies_import(
                filename=f"simulator-status-{firm.dtc_participant_number}-20010904.xml",
                content=content,
                by=ops,
            )


@transaction.atomic
def load_consummation_scenario() -> ExchangeOffer:
    """The demo as it could have stood on the morning of Sep 5, 2001: every account but a few
    small holders tendered before the cutoffs ($125,000 stays out: 99.54% tendered), and the
    other conditions were met the day before. Operations can then consummate (with the clock after the expiration)."""
    offer = load_demo()
    users = {user.get_username(): user for user in get_user_model().objects.all()}
    representatives = _representatives()
    waiting = ClientAccount.objects.exclude(account_number__in=NEVER_ANSWER).exclude(
        instructions__offer=offer, instructions__status__in=["received", "submitted", "accepted"]
    )
    for minute, account in enumerate(waiting.order_by("account_number")):
        step = DemoInstruction(account.account_number, _at(28, 10, minute % 60), "submit")
        with clock.frozen_at(step.at):
            recorded = instruction_submit(
                account=account,
                offer=offer,
                data=instruction_input(account, step),
                by=representatives.get(account.firm_id, users["ops"]),
            )
        if isinstance(recorded, HeldInstruction):
            _supervisor_approves(recorded, step)
    # Prairie State, which had stated $500,000 of its $700,000, decides to tender all.
    prairie = ClientAccount.objects.get(account_number=CHANGES_MIND)
    live = Instruction.objects.filter(account=prairie, offer=offer, status="received").first()
    if live is not None and live.choice == "AMOUNT":
        step = DemoInstruction(CHANGES_MIND, _at(29, 15, 30), "amend")
        with clock.frozen_at(step.at):
            instruction_amend(
                instruction=live,
                expected_version=live.version,
                data=instruction_input(prairie, step),
                by=representatives.get(prairie.firm_id, users["ops"]),
            )
    # Consummation accepts what the exchange agent holds (issue 21): each firm's file, in the
    # format it records, sent on the morning of Sep 4; the agent's status advice (the
    # SIMULATOR's, accepting every instruction) that afternoon, imported as operations would.
    _send_and_acknowledge(offer, users["ops"])
    for condition in offer.conditions.filter(is_satisfied=False):
        condition.is_satisfied, condition.satisfied_on = True, CONDITIONS_MET_AT.date()
        condition.note = condition.note or "Demo: met the day before the expiration."
        condition._history_user = users["ops"]  # type: ignore[attr-defined]  # simple-history reads it
        with clock.frozen_at(CONDITIONS_MET_AT):
            condition.save()
    return offer
