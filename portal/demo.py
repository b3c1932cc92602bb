"""Demo people for seed_demo: the contract's users, in their groups and functions."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import FunctionMembership, ReviewFunction, User
from audit.checkpoints import ed25519_key_write
from signoff.packets.signing import self_signed_certificate_write


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    function: str = ""
    lead: bool = False


PEOPLE = [
    DemoPerson("erin", "Erin", "Engel", "engineer"),
    DemoPerson("evan", "Evan", "Osei", "engineer"),
    DemoPerson("rita", "Rita", "Rossi", "risk", "risk", lead=True),
    DemoPerson("ravi", "Ravi", "Raman", "risk", "risk"),
    DemoPerson("carl", "Carl", "Cortez", "compliance", "compliance", lead=True),
    DemoPerson("cora", "Cora", "Chen", "compliance", "compliance"),
    DemoPerson("lena", "Lena", "Lindqvist", "legal", "legal", lead=True),
    DemoPerson("leo", "Leo", "Laurent", "legal", "legal"),
    DemoPerson("audrey", "Audrey", "Adeyemi", "auditor"),
    DemoPerson("admin", "Ada", "Admin", "admin"),
]


def demo_people_seed(*, password: str) -> dict[str, User]:
    """Create or refresh the demo users; idempotent."""
    users: dict[str, User] = {}
    functions = {f.key: f for f in ReviewFunction.objects.all()}
    for person in PEOPLE:
        user, _ = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@stagegate.example",
            },
        )
        user.set_password(password)
        if person.username == "admin":
            user.is_staff = user.is_superuser = True
        user.save()
        user.groups.add(Group.objects.get(name=person.role))
        if person.function:
            FunctionMembership.objects.update_or_create(
                function=functions[person.function], user=user, defaults={"is_lead": person.lead}
            )
        users[person.username] = user
    return users


def _setting_path(name: str) -> Path | None:
    value = str(getattr(settings, name, "") or "")
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path


def demo_keys_make() -> list[str]:
    """The demo's signing keys, made where settings point if nothing is there yet; what was done, in words."""
    done = []
    key, cert = _setting_path("PACKET_SIGNING_KEY"), _setting_path("PACKET_SIGNING_CERT")
    if key is None or cert is None:
        done.append("Packets are not signed: PACKET_SIGNING_KEY and PACKET_SIGNING_CERT are not set.")
    elif key.exists() and cert.exists():
        done.append(f"Packet signing certificate kept: {cert}")
    else:
        self_signed_certificate_write(key_path=key, cert_path=cert, common_name=f"{settings.SITE_NAME} demo packets")
        done.append(f"Packet signing: a self-signed demonstration certificate in {cert}")
    checkpoint = _setting_path("AUDIT_CHECKPOINT_KEY")
    if checkpoint is None:
        done.append("Audit checkpoints cannot be signed: AUDIT_CHECKPOINT_KEY is not set.")
    elif checkpoint.exists():
        done.append(f"Audit checkpoint key kept: {checkpoint}")
    else:
        ed25519_key_write(checkpoint)
        done.append(f"Audit checkpoints: a new Ed25519 key in {checkpoint}")
    return done
