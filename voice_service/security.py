"""Security headers on every response: a strict CSP with a per-request nonce, no framing,
no referrer (private-link tokens must never leak in a Referer header), HSTS behind TLS."""
from __future__ import annotations

import secrets
from urllib.parse import parse_qsl

from flask import Flask, has_request_context, request
from flask.wrappers import Request
from werkzeug.formparser import FormDataParser
from werkzeug.middleware.proxy_fix import ProxyFix


class _Utf8FormDataParser(FormDataParser):
    """A URL-encoded form must be UTF-8. Werkzeug would keep undecodable bytes as "%FF" text: not
    what anyone wrote, stored as their answer. An unreadable body parses as an empty form instead
    (werkzeug's silent parse error), which the CSRF check then refuses with a plain page."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        items = parse_qsl(stream.read().decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
        return stream, self.cls(items), self.cls()


class Utf8Request(Request):
    form_data_parser_class = _Utf8FormDataParser


def csp_nonce() -> str:
    """This response's nonce: kept on the request (not `g`, which lives as long as the app
    context and so can outlast one request), so no two responses share one."""
    if not has_request_context():
        return secrets.token_urlsafe(16)
    environ = request.environ
    if "voice.csp_nonce" not in environ:
        environ["voice.csp_nonce"] = secrets.token_urlsafe(16)
    return environ["voice.csp_nonce"]


def init_app(app: Flask) -> None:
    if app.config.get("PROXY_FIX"):
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.request_class = Utf8Request

    @app.after_request
    def set_headers(response):
        nonce = csp_nonce()
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.blueprint in ("public", "staff", "insights", "api"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
