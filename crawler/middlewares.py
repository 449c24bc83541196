"""Downloader middlewares: the private-address guard, the Referer header, Retry-After, the redirect-loop guard,
and Scrapy's redirect middlewares without their search for Scrapy's Referer middleware."""

from __future__ import annotations

import ipaddress
import logging
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.urls import canonical

logger = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    pass


def is_public(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


class PrivateAddressGuard:
    """Refuse requests to private, loopback, link-local and other non-public addresses: checked
    on the address the host name resolves to before the request (every redirect passes here
    again) and on the address actually connected to (response.ip_address)."""

    def __init__(self, crawler):
        if crawler.settings.getbool("ORGANWATCH_ALLOW_PRIVATE"):
            raise NotConfigured("private addresses allowed (--allow-private)")
        self.stats = crawler.stats
        self.resolved: dict[str, str] = {}
        self.allowed = [ipaddress.ip_network(n) for n in crawler.settings.getlist("ORGANWATCH_ALLOWED_NETWORKS")]

    def permitted(self, ip: str) -> bool:
        addr = ipaddress.ip_address(ip)
        return is_public(ip) or any(addr in network for network in self.allowed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _refuse(self, request, host: str, ip: str):
        self.stats.inc_value("organwatch/refused_private")
        raise PrivateAddressRefused(f"refused {request.url}: {host} is a non-public address ({ip}); see --allow-private")

    async def process_request(self, request):
        host = urlsplit(request.url).hostname or ""
        try:
            ip = str(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            ip = self.resolved.get(host)
            if ip is None:
                try:
                    ip = await maybe_deferred_to_future(reactor.resolve(host))
                except Exception:
                    return None  # let the download fail with its own DNS error
                self.resolved[host] = ip
        if not self.permitted(ip):
            self._refuse(request, host, ip)
        return None

    def process_response(self, request, response):
        ip = getattr(response, "ip_address", None)
        if ip is not None and not self.permitted(str(ip)):
            self._refuse(request, urlsplit(request.url).hostname or "", str(ip))
        return response


class RefererHeader:
    """Send the page a link was found on as the Referer header, from the request's meta
    (`referer`, set by the spider): made when the request is fetched, not for every link
    scheduled, most of which wait in the frontier and some never leave it (a Headers object cost
    5.5 us and a few hundred bytes per request)."""

    def process_request(self, request):
        referer = request.meta.get("referer")
        if referer and b"Referer" not in request.headers:
            request.headers[b"Referer"] = referer
        return None


class _RefererFromMeta:
    """Scrapy's redirect middlewares look for Scrapy's Referer middleware when the engine starts,
    and warn on every crawl when it is off, as it is here (crawler/settings.py). The redirected
    request keeps its meta, so RefererHeader sends it with the page the link was found on."""

    def _engine_started(self) -> None:
        pass


class Redirect(_RefererFromMeta, RedirectMiddleware):
    pass


class MetaRefresh(_RefererFromMeta, MetaRefreshMiddleware):
    pass


class RetryAfter:
    """Honour Retry-After on 429 and 503: wait as asked (up to ORGANWATCH_RETRY_AFTER_MAX
    seconds), then retry, at most RETRY_TIMES times; longer waits give up on the URL."""

    def __init__(self, crawler):
        self.max_wait = crawler.settings.getfloat("ORGANWATCH_RETRY_AFTER_MAX", 120.0)
        self.times = crawler.settings.getint("RETRY_TIMES", 2)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response):
        if response.status not in (429, 503) or b"Retry-After" not in response.headers:
            return response
        tries = request.meta.get("retry_after_times", 0)
        wait = parse_retry_after(response.headers.get(b"Retry-After", b"").decode("latin-1"))
        if wait is None or wait > self.max_wait or tries >= self.times:
            self.stats.inc_value("organwatch/retry_after_gave_up")
            return response
        self.stats.inc_value("organwatch/retry_after_waits")
        logger.info("%s answered %s, Retry-After %.0fs: waiting", request.url, response.status, wait)
        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = tries + 1
        return retry


def parse_retry_after(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        from datetime import UTC, datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class RedirectLoopGuard:
    """Stop a redirect that comes back to a URL already in its chain (A -> B -> A). Without it
    the dupefilter drops the second A silently and the loop leaves no trace; with it the
    request fails with a 'redirect loop' the capture records. Sits before Redirect
    (a higher number: it sees the 3xx response first)."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_response(self, request, response):
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400) or not location:
            return response
        target = canonical(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonical(u) for u in chain}:
            raise IgnoreRequest(f"redirect loop: {' -> '.join(chain)} -> {target}")
        return response
