"""Every route of the project, with how to call it, for the permission matrix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.permission_world import World


@dataclass(frozen=True)
class Route:
    method: str
    url: Callable[[World], str]
    data: dict = field(default_factory=dict)


def _p(method: str, url: Callable[[World], str], **data) -> Route:
    return Route(method, url, data)


ROUTES: dict[str, Route] = {
    # portal
    "": _p("GET", lambda w: "/"),
    "home/queue/": _p("GET", lambda w: "/home/queue/"),
    "insight/": _p("GET", lambda w: "/insight/"),
    "insight/inventory.csv": _p("GET", lambda w: "/insight/inventory.csv"),
    "notifications/": _p("GET", lambda w: "/notifications/"),
    "notifications/read/": _p("POST", lambda w: "/notifications/read/", id="999999"),
    "notifications/badge/": _p("GET", lambda w: "/notifications/badge/"),
    "notifications/settings/": _p("POST", lambda w: "/notifications/settings/", email_mode="bogus"),
    "audit/": _p("GET", lambda w: "/audit/"),
    "audit/export.csv": _p("GET", lambda w: "/audit/export.csv"),
    "audit/verify/": _p("POST", lambda w: "/audit/verify/"),
    "accounts/login/": _p("GET", lambda w: "/accounts/login/"),
    "accounts/logout/": _p("POST", lambda w: "/accounts/logout/"),
    "accounts/tokens/": _p("POST", lambda w: "/accounts/tokens/"),
    "accounts/tokens/<int:pk>/revoke/": _p("POST", lambda w: "/accounts/tokens/999999/revoke/"),
    "accounts/service-accounts/new/": _p("POST", lambda w: "/accounts/service-accounts/new/"),
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/": _p("POST", lambda w: "/accounts/oidc/sso/login/"),
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/": _p(
        "GET", lambda w: "/accounts/oidc/sso/login/callback/?code=x&state=y"
    ),
    "accounts/second-factor/": _p("POST", lambda w: "/accounts/second-factor/", code="123456"),
    "accounts/second-factor/setup/": _p("POST", lambda w: "/accounts/second-factor/setup/"),
    "accounts/second-factor/factors/": _p("GET", lambda w: "/accounts/second-factor/factors/"),
    "accounts/second-factor/recovery-codes/": _p("POST", lambda w: "/accounts/second-factor/recovery-codes/"),
    "accounts/second-factor/app/replace/": _p("POST", lambda w: "/accounts/second-factor/app/replace/"),
    "accounts/second-factor/app/remove/": _p("POST", lambda w: "/accounts/second-factor/app/remove/"),
    "accounts/second-factor/keys/add/": _p("POST", lambda w: "/accounts/second-factor/keys/add/"),
    "accounts/second-factor/keys/<int:pk>/remove/": _p("POST", lambda w: "/accounts/second-factor/keys/999999/remove/"),
    "scim/v2/^$": _p("GET", lambda w: "/scim/v2/"),
    "scim/v2/^\\.search$": _p("POST", lambda w: "/scim/v2/.search"),
    "scim/v2/^Users/\\.search$": _p("POST", lambda w: "/scim/v2/Users/.search"),
    "scim/v2/^Users(?:/(?P<uuid>[^/]+))?$": _p("POST", lambda w: "/scim/v2/Users"),
    "scim/v2/^Groups/\\.search$": _p("POST", lambda w: "/scim/v2/Groups/.search"),
    "scim/v2/^Groups(?:/(?P<uuid>[^/]+))?$": _p("POST", lambda w: "/scim/v2/Groups"),
    "scim/v2/^Me$": _p("GET", lambda w: "/scim/v2/Me"),
    "scim/v2/^ServiceProviderConfig$": _p("GET", lambda w: "/scim/v2/ServiceProviderConfig"),
    "scim/v2/^ResourceTypes(?:/(?P<uuid>[^/]+))?$": _p("GET", lambda w: "/scim/v2/ResourceTypes"),
    "scim/v2/^Schemas(?:/(?P<uuid>[^/]+))?$": _p("GET", lambda w: "/scim/v2/Schemas"),
    "scim/v2/^Bulk$": _p("POST", lambda w: "/scim/v2/Bulk"),
    "healthz": _p("GET", lambda w: "/healthz"),
    "audit/checkpoint-key.pem": _p("GET", lambda w: "/audit/checkpoint-key.pem"),
    # lifecycle pages
    "use-cases/": _p("GET", lambda w: "/use-cases/"),
    "use-cases/new/": _p("POST", lambda w: "/use-cases/new/"),
    "use-cases/<slug:slug>/": _p("GET", lambda w: f"/use-cases/{w.slug}/"),
    "use-cases/<slug:slug>/edit/": _p("POST", lambda w: f"/use-cases/{w.slug}/edit/"),
    "use-cases/<slug:slug>/demote/": _p("POST", lambda w: f"/use-cases/{w.slug}/demote/"),
    "use-cases/<slug:slug>/retire/": _p("POST", lambda w: f"/use-cases/{w.slug}/retire/"),
    "use-cases/<slug:slug>/versions/new/": _p("POST", lambda w: f"/use-cases/{w.slug}/versions/new/"),
    "use-cases/<slug:slug>/artifacts/new/": _p("POST", lambda w: f"/use-cases/{w.slug}/artifacts/new/"),
    "use-cases/<slug:slug>/artifacts/<int:pk>/download/": _p(
        "GET", lambda w: f"/use-cases/{w.slug}/artifacts/{w.artifact}/download/"
    ),
    "use-cases/<slug:slug>/classification/": _p("POST", lambda w: f"/use-cases/{w.slug}/classification/"),
    "use-cases/<slug:slug>/classification/<int:pk>/decide/": _p(
        "POST", lambda w: f"/use-cases/{w.slug}/classification/{w.assessment}/decide/"
    ),
    "use-cases/<slug:slug>/classification/<int:pk>/": _p(
        "GET", lambda w: f"/use-cases/{w.slug}/classification/{w.assessment}/"
    ),
    "use-cases/<slug:slug>/readiness/": _p("POST", lambda w: f"/use-cases/{w.slug}/readiness/"),
    # governance pages
    "governance/use-cases/<slug:slug>/observations/": _p(
        "GET", lambda w: f"/governance/use-cases/{w.slug}/observations/"
    ),
    "governance/use-cases/<slug:slug>/incidents/new/": _p(
        "POST", lambda w: f"/governance/use-cases/{w.slug}/incidents/new/"
    ),
    "governance/incidents/": _p("GET", lambda w: "/governance/incidents/"),
    "governance/incidents/<int:pk>/": _p("GET", lambda w: f"/governance/incidents/{w.incident}/"),
    "governance/incidents/<int:pk>/report/": _p(
        "POST", lambda w: f"/governance/incidents/{w.incident}/report/", reported_at="not a time"
    ),
    "governance/incidents/<int:pk>/suspend/": _p("POST", lambda w: f"/governance/incidents/{w.incident}/suspend/"),
    "governance/incidents/<int:pk>/link-demotion/": _p(
        "POST", lambda w: f"/governance/incidents/{w.incident}/link-demotion/"
    ),
    "governance/incidents/<int:pk>/close/": _p("POST", lambda w: f"/governance/incidents/{w.incident}/close/"),
    "governance/incidents/<int:pk>/blocking/": _p(
        "POST", lambda w: f"/governance/incidents/{w.incident}/blocking/", blocking="maybe"
    ),
    # sign-off pages
    "signoff/requests/": _p("GET", lambda w: "/signoff/requests/"),
    "signoff/policy/": _p("GET", lambda w: "/signoff/policy/"),
    "signoff/policy/<int:stage>/": _p("POST", lambda w: "/signoff/policy/3/", sla_business_days="0"),
    "signoff/requests/new/<slug:slug>/": _p("POST", lambda w: f"/signoff/requests/new/{w.slug}/"),
    "signoff/requests/new/<slug:slug>/checklist/": _p("GET", lambda w: f"/signoff/requests/new/{w.slug}/checklist/"),
    "signoff/requests/<int:pk>/": _p("GET", lambda w: f"/signoff/requests/{w.request}/"),
    "signoff/requests/<int:pk>/submit/": _p("POST", lambda w: f"/signoff/requests/{w.request}/submit/"),
    "signoff/requests/<int:pk>/resubmit/": _p("POST", lambda w: f"/signoff/requests/{w.request}/resubmit/"),
    "signoff/requests/<int:pk>/withdraw/": _p("POST", lambda w: f"/signoff/requests/{w.request}/withdraw/"),
    "signoff/requests/<int:pk>/accept/": _p("POST", lambda w: f"/signoff/requests/{w.request}/accept/"),
    "signoff/requests/<int:pk>/comments/": _p("POST", lambda w: f"/signoff/requests/{w.request}/comments/"),
    "signoff/reviews/": _p("GET", lambda w: "/signoff/reviews/"),
    "signoff/reviews/<int:pk>/": _p("POST", lambda w: f"/signoff/reviews/{w.review}/", decision="bogus"),
    "signoff/reviews/<int:pk>/claim/": _p("POST", lambda w: f"/signoff/reviews/{w.review}/claim/"),
    "signoff/reviews/<int:pk>/assign/": _p("POST", lambda w: f"/signoff/reviews/{w.review}/assign/"),
    "signoff/reviews/<int:pk>/hand-over/": _p("POST", lambda w: f"/signoff/reviews/{w.review}/hand-over/"),
    "signoff/conditions/<int:pk>/": _p("GET", lambda w: f"/signoff/conditions/{w.condition}/"),
    "signoff/conditions/<int:pk>/met/": _p("POST", lambda w: f"/signoff/conditions/{w.condition}/met/"),
    "signoff/conditions/<int:pk>/accept/": _p("POST", lambda w: f"/signoff/conditions/{w.condition}/accept/"),
    "signoff/conditions/<int:pk>/return/": _p("POST", lambda w: f"/signoff/conditions/{w.condition}/return/"),
    "signoff/conditions/<int:pk>/waive/": _p("POST", lambda w: f"/signoff/conditions/{w.condition}/waive/"),
    "signoff/conditions/<int:pk>/evidence/": _p("GET", lambda w: f"/signoff/conditions/{w.condition}/evidence/"),
    "signoff/functions/<slug:key>/assignments/": _p("GET", lambda w: f"/signoff/functions/{w.function}/assignments/"),
    "signoff/packets/": _p("GET", lambda w: "/signoff/packets/"),
    "signoff/packets/verify/": _p("POST", lambda w: "/signoff/packets/verify/", sha256="not-a-hash"),
    "signoff/packets/<str:packet_id>/": _p("GET", lambda w: f"/signoff/packets/{w.packet_id}/"),
    "signoff/packets/<str:packet_id>/download/": _p("GET", lambda w: f"/signoff/packets/{w.packet_id}/download/"),
    # running governance pages
    "governance/use-cases/<slug:slug>/suspend/": _p("POST", lambda w: f"/governance/use-cases/{w.slug}/suspend/"),
    "governance/use-cases/<slug:slug>/lift/": _p("POST", lambda w: f"/governance/use-cases/{w.slug}/lift/"),
    "governance/use-cases/<slug:slug>/findings/new/": _p(
        "POST", lambda w: f"/governance/use-cases/{w.slug}/findings/new/"
    ),
    "governance/use-cases/<slug:slug>/exceptions/new/": _p(
        "POST", lambda w: f"/governance/use-cases/{w.slug}/exceptions/new/"
    ),
    "governance/exceptions/<int:pk>/withdraw/": _p("POST", lambda w: f"/governance/exceptions/{w.exception}/withdraw/"),
    "governance/findings/": _p("GET", lambda w: "/governance/findings/"),
    "governance/findings/<int:pk>/": _p("GET", lambda w: f"/governance/findings/{w.finding}/"),
    "governance/findings/<int:pk>/remediate/": _p("POST", lambda w: f"/governance/findings/{w.finding}/remediate/"),
    "governance/findings/<int:pk>/validate/": _p("POST", lambda w: f"/governance/findings/{w.finding}/validate/"),
    "governance/findings/<int:pk>/reopen/": _p("POST", lambda w: f"/governance/findings/{w.finding}/reopen/"),
    # API
    "api/v1/": _p("GET", lambda w: "/api/v1/"),
    "api/v1/^findings/$": _p("POST", lambda w: "/api/v1/findings/"),
    "api/v1/^exceptions/$": _p("POST", lambda w: "/api/v1/exceptions/"),
    "api/v1/^exceptions/(?P<pk>[^/.]+)/$": _p("GET", lambda w: f"/api/v1/exceptions/{w.exception}/"),
    "api/v1/^exceptions/(?P<pk>[^/.]+)/withdraw/$": _p("POST", lambda w: f"/api/v1/exceptions/{w.exception}/withdraw/"),
    "api/v1/^findings/(?P<pk>[^/.]+)/$": _p("GET", lambda w: f"/api/v1/findings/{w.finding}/"),
    "api/v1/^findings/(?P<pk>[^/.]+)/remediate/$": _p("POST", lambda w: f"/api/v1/findings/{w.finding}/remediate/"),
    "api/v1/^findings/(?P<pk>[^/.]+)/validate/$": _p("POST", lambda w: f"/api/v1/findings/{w.finding}/validate/"),
    "api/v1/^findings/(?P<pk>[^/.]+)/reopen/$": _p("POST", lambda w: f"/api/v1/findings/{w.finding}/reopen/"),
    "api/v1/use-cases/<slug:slug>/suspension/": _p("POST", lambda w: f"/api/v1/use-cases/{w.slug}/suspension/"),
    "api/v1/use-cases/<slug:slug>/suspension/lift/": _p(
        "POST", lambda w: f"/api/v1/use-cases/{w.slug}/suspension/lift/"
    ),
    "api/v1/packets/verify": _p("POST", lambda w: "/api/v1/packets/verify", sha256="not-a-hash"),
    "api/v1/use-cases/<slug:slug>/gate/": _p("GET", lambda w: f"/api/v1/use-cases/{w.slug}/gate/?stage=3"),
    "api/v1/^use-cases/$": _p("POST", lambda w: "/api/v1/use-cases/"),
    "api/v1/^use-cases/(?P<slug>[-a-zA-Z0-9_]+)/$": _p("PATCH", lambda w: f"/api/v1/use-cases/{w.slug}/"),
    "api/v1/use-cases/<slug:slug>/artifacts/<int:pk>/download/": _p(
        "GET", lambda w: f"/api/v1/use-cases/{w.slug}/artifacts/{w.artifact}/download/"
    ),
    "api/v1/use-cases/<slug:slug>/artifacts/": _p("POST", lambda w: f"/api/v1/use-cases/{w.slug}/artifacts/"),
    "api/v1/use-cases/<slug:slug>/risk-assessments/<int:pk>/decide/": _p(
        "POST", lambda w: f"/api/v1/use-cases/{w.slug}/risk-assessments/{w.assessment}/decide/"
    ),
    "api/v1/use-cases/<slug:slug>/risk-assessments/": _p(
        "POST", lambda w: f"/api/v1/use-cases/{w.slug}/risk-assessments/"
    ),
    "api/v1/use-cases/<slug:slug>/versions/": _p("POST", lambda w: f"/api/v1/use-cases/{w.slug}/versions/"),
    "api/v1/use-cases/<slug:slug>/readiness/": _p("PUT", lambda w: f"/api/v1/use-cases/{w.slug}/readiness/"),
    "api/v1/questionnaire/": _p("GET", lambda w: "/api/v1/questionnaire/"),
    "api/v1/use-cases/<slug:slug>/incidents/": _p("POST", lambda w: f"/api/v1/use-cases/{w.slug}/incidents/"),
    "api/v1/^incidents/$": _p("GET", lambda w: "/api/v1/incidents/"),
    "api/v1/^incidents/(?P<pk>[^/.]+)/$": _p("GET", lambda w: f"/api/v1/incidents/{w.incident}/"),
    "api/v1/^incidents/(?P<pk>[^/.]+)/report/$": _p(
        "POST", lambda w: f"/api/v1/incidents/{w.incident}/report/", reported_at="not a time"
    ),
    "api/v1/^incidents/(?P<pk>[^/.]+)/suspend/$": _p("POST", lambda w: f"/api/v1/incidents/{w.incident}/suspend/"),
    "api/v1/^incidents/(?P<pk>[^/.]+)/link-demotion/$": _p(
        "POST", lambda w: f"/api/v1/incidents/{w.incident}/link-demotion/"
    ),
    "api/v1/^incidents/(?P<pk>[^/.]+)/close/$": _p("POST", lambda w: f"/api/v1/incidents/{w.incident}/close/"),
    "api/v1/^incidents/(?P<pk>[^/.]+)/blocking/$": _p(
        "POST", lambda w: f"/api/v1/incidents/{w.incident}/blocking/", blocking="maybe"
    ),
    "api/v1/use-cases/<slug:slug>/versions/<str:label>/observations/": _p(
        "POST", lambda w: f"/api/v1/use-cases/{w.slug}/versions/{w.version}/observations/"
    ),
    "api/v1/^use-cases/(?P<slug>[-a-zA-Z0-9_]+)/demote/$": _p("POST", lambda w: f"/api/v1/use-cases/{w.slug}/demote/"),
    "api/v1/^use-cases/(?P<slug>[-a-zA-Z0-9_]+)/retire/$": _p("POST", lambda w: f"/api/v1/use-cases/{w.slug}/retire/"),
    "api/v1/^readiness-requests/$": _p("POST", lambda w: "/api/v1/readiness-requests/"),
    "api/v1/^readiness-requests/(?P<pk>[^/.]+)/$": _p("GET", lambda w: f"/api/v1/readiness-requests/{w.request}/"),
    "api/v1/^readiness-requests/(?P<pk>[^/.]+)/accept/$": _p(
        "POST", lambda w: f"/api/v1/readiness-requests/{w.request}/accept/"
    ),
    "api/v1/^readiness-requests/(?P<pk>[^/.]+)/resubmit/$": _p(
        "POST", lambda w: f"/api/v1/readiness-requests/{w.request}/resubmit/"
    ),
    "api/v1/^readiness-requests/(?P<pk>[^/.]+)/submit/$": _p(
        "POST", lambda w: f"/api/v1/readiness-requests/{w.request}/submit/"
    ),
    "api/v1/^readiness-requests/(?P<pk>[^/.]+)/withdraw/$": _p(
        "POST", lambda w: f"/api/v1/readiness-requests/{w.request}/withdraw/"
    ),
    "api/v1/^reviews/$": _p("GET", lambda w: "/api/v1/reviews/"),
    "api/v1/^conditions/$": _p("GET", lambda w: "/api/v1/conditions/"),
    "api/v1/^conditions/(?P<pk>[^/.]+)/$": _p("GET", lambda w: f"/api/v1/conditions/{w.condition}/"),
    "api/v1/^conditions/(?P<pk>[^/.]+)/mark-met/$": _p("POST", lambda w: f"/api/v1/conditions/{w.condition}/mark-met/"),
    "api/v1/^conditions/(?P<pk>[^/.]+)/accept/$": _p("POST", lambda w: f"/api/v1/conditions/{w.condition}/accept/"),
    "api/v1/^conditions/(?P<pk>[^/.]+)/return/$": _p("POST", lambda w: f"/api/v1/conditions/{w.condition}/return/"),
    "api/v1/^conditions/(?P<pk>[^/.]+)/waive/$": _p("POST", lambda w: f"/api/v1/conditions/{w.condition}/waive/"),
    "api/v1/^reviews/(?P<pk>[^/.]+)/$": _p("GET", lambda w: f"/api/v1/reviews/{w.review}/"),
    "api/v1/^reviews/(?P<pk>[^/.]+)/assign/$": _p("POST", lambda w: f"/api/v1/reviews/{w.review}/assign/"),
    "api/v1/^reviews/(?P<pk>[^/.]+)/claim/$": _p("POST", lambda w: f"/api/v1/reviews/{w.review}/claim/"),
    "api/v1/^reviews/(?P<pk>[^/.]+)/decide/$": _p(
        "POST", lambda w: f"/api/v1/reviews/{w.review}/decide/", decision="bogus"
    ),
    "api/v1/^reviews/(?P<pk>[^/.]+)/hand-over/$": _p("POST", lambda w: f"/api/v1/reviews/{w.review}/hand-over/"),
    "api/v1/^packets/$": _p("GET", lambda w: "/api/v1/packets/"),
    "api/v1/^packets/(?P<packet_id>SG-[0-9]{4}-[0-9]{6})/$": _p("GET", lambda w: f"/api/v1/packets/{w.packet_id}/"),
    "api/v1/^packets/(?P<packet_id>SG-[0-9]{4}-[0-9]{6})/download/$": _p(
        "GET", lambda w: f"/api/v1/packets/{w.packet_id}/download/"
    ),
    "api/v1/^audit-events/$": _p("GET", lambda w: "/api/v1/audit-events/"),
    "api/v1/^audit-events/(?P<seq>[0-9]+)/$": _p("GET", lambda w: f"/api/v1/audit-events/{w.audit_seq}/"),
    "api/schema/": _p("GET", lambda w: "/api/schema/"),
    "api/docs/": _p("GET", lambda w: "/api/docs/"),
    "admin/": _p("GET", lambda w: "/admin/"),
    "admin/webhooks/webhookendpoint/": _p("GET", lambda w: "/admin/webhooks/webhookendpoint/"),
    "admin/webhooks/webhookendpoint/add/": _p("POST", lambda w: "/admin/webhooks/webhookendpoint/add/"),
    "admin/webhooks/webhookendpoint/<path:object_id>/": _p(
        "GET", lambda w: f"/admin/webhooks/webhookendpoint/{w.webhook_endpoint}/"
    ),
    "admin/webhooks/webhookendpoint/<path:object_id>/change/": _p(
        "POST", lambda w: f"/admin/webhooks/webhookendpoint/{w.webhook_endpoint}/change/"
    ),
    "admin/webhooks/webhookendpoint/<path:object_id>/history/": _p(
        "GET", lambda w: f"/admin/webhooks/webhookendpoint/{w.webhook_endpoint}/history/"
    ),
    "admin/webhooks/webhookendpoint/<path:object_id>/delete/": _p(
        "GET", lambda w: f"/admin/webhooks/webhookendpoint/{w.webhook_endpoint}/delete/"
    ),
    "admin/webhooks/webhookendpoint/<int:pk>/enable/": _p(
        "POST", lambda w: f"/admin/webhooks/webhookendpoint/{w.webhook_endpoint}/enable/"
    ),
    "admin/webhooks/webhookendpoint/<int:pk>/ping/": _p(
        "POST", lambda w: f"/admin/webhooks/webhookendpoint/{w.webhook_endpoint}/ping/"
    ),
    "admin/webhooks/webhookdelivery/": _p("GET", lambda w: "/admin/webhooks/webhookdelivery/"),
    "admin/webhooks/webhookdelivery/add/": _p("GET", lambda w: "/admin/webhooks/webhookdelivery/add/"),
    "admin/webhooks/webhookdelivery/<path:object_id>/": _p(
        "GET", lambda w: f"/admin/webhooks/webhookdelivery/{w.webhook_delivery}/"
    ),
    "admin/webhooks/webhookdelivery/<path:object_id>/change/": _p(
        "GET", lambda w: f"/admin/webhooks/webhookdelivery/{w.webhook_delivery}/change/"
    ),
    "admin/webhooks/webhookdelivery/<path:object_id>/history/": _p(
        "GET", lambda w: f"/admin/webhooks/webhookdelivery/{w.webhook_delivery}/history/"
    ),
    "admin/webhooks/webhookdelivery/<path:object_id>/delete/": _p(
        "GET", lambda w: f"/admin/webhooks/webhookdelivery/{w.webhook_delivery}/delete/"
    ),
}
