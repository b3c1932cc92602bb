"""Roles are Django groups; these are their names."""

from django.db import models


class Role(models.TextChoices):
    ENGINEER = "engineer", "Engineer"
    RISK = "risk", "Risk reviewer"
    COMPLIANCE = "compliance", "Compliance reviewer"
    LEGAL = "legal", "Legal reviewer"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


REVIEWER_ROLES = (Role.RISK, Role.COMPLIANCE, Role.LEGAL)
