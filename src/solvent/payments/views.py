"""Public payment pages: the gateways' webhooks and the fake gateway's checkout page. Thin: each
parses the request, calls one service and answers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from solvent.arrangements.domain.errors import FieldError
from solvent.payments.ports import (
    GatewayError,
    GatewayPayloadError,
    GatewaySignatureError,
    GatewayUnknownError,
)
from solvent.payments.services.gateway_fake import (
    fake_choices,
    gateway_fake_checkout,
    gateway_fake_outcome,
)
from solvent.payments.services.gateway_webhooks import gateway_webhook_handle


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, gateway: str) -> HttpResponse:
    """A gateway's events: 400 when the signature or body is bad (the gateway retries, a forger
    learns nothing more), 200 once accepted (a duplicate too), 503 when the gateway is not set up."""
    try:
        outcome = gateway_webhook_handle(
            gateway=gateway, payload=request.body, headers=dict(request.headers)
        )
    except GatewayUnknownError:
        raise Http404("no such payment gateway") from None
    except (GatewaySignatureError, GatewayPayloadError) as error:
        return JsonResponse({"error": error.code, "detail": error.message}, status=400)
    except GatewayError as error:
        return JsonResponse({"error": error.code, "detail": error.message}, status=503)
    return JsonResponse({"received": True, "outcome": outcome})


# After the debtor's choice on the fake page: back to our site (success or cancel), or stay.
_LEAVES_FOR = {"succeeded": "success", "processing": "success", "failed": "cancel"}


@require_http_methods(["GET", "POST"])
def fake_checkout(request: HttpRequest, checkout_id: str) -> HttpResponse:
    """The demo gateway's payment page: no card or bank details asked, only what the bank does."""
    found = gateway_fake_checkout(checkout_id=checkout_id)
    if found is None:
        raise Http404("no such checkout")
    session, payment = found
    error = ""
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        opened = payment is None
        try:
            gateway_fake_outcome(checkout_id=checkout_id, outcome=outcome)
        except FieldError as refused:
            error = refused.reason
        else:
            leave = _LEAVES_FOR.get(outcome) if opened else None
            if leave is not None:
                return HttpResponseRedirect(_back_to_site(request, request.GET.get(leave, "")))
            query = urlencode({k: request.GET.get(k, "") for k in ("success", "cancel")})
            return HttpResponseRedirect(f"{request.path}?{query}")
    return render(
        request,
        "payments/fake_checkout.html",
        {
            "session": session,
            "payment": payment,
            "choices": fake_choices(session, payment),
            "error": error,
            "back_url": _back_to_site(request, request.GET.get("cancel", "")),
        },
        status=400 if error else 200,
    )


def _back_to_site(request: HttpRequest, url: str) -> str:
    """The success or cancel URL the checkout was opened with, if it is ours; else the home page."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"
