"""Outbound HTTP policy shared by std.http / std.mistral_http and the webhook notifier.

``EgressPolicy`` holds the ``[action_std_http]`` options as plain values (the
composition root builds it with ``EgressPolicy.from_options(conf.action_std_http)``).
``policy.request(method, url, **kwargs)`` sends a request with ``requests`` under it:

* only ``http`` and ``https`` URLs;
* with ``allowed_hosts`` set, only those host names;
* the host is resolved and *every* address it resolves to must be outside
  ``denied_cidrs`` (loopback and link-local by default: the SSRF mitigation that keeps
  ``localhost`` and the cloud metadata service at 169.254.169.254 out of reach);
* the same checks for every redirect hop, before it is sent, and for a proxy the
  caller names; a direct connection also checks the address it actually reached
  (a name re-resolved to a denied address in between, DNS rebinding, is refused);
* ``default_timeout`` when the caller gives no timeout;
* a response whose ``Content-Length`` exceeds ``max_response_size_bytes`` is refused,
  and reading stops as soon as a body without (or lying about) its length goes past it.

Violations raise ``EgressDeniedError`` (an ``ActionError``) naming the address and the
option to change.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from mistral.exceptions import ActionError

DEFAULT_DENIED_CIDRS: tuple[str, ...] = ("127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10")
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_RESPONSE_SIZE = 5 * 1024 * 1024
_CHUNK = 64 * 1024

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class EgressDeniedError(ActionError):
    """An outbound request the ``[action_std_http]`` policy does not allow."""


def _networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    nets = []
    for cidr in cidrs:
        try:
            nets.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
        except ValueError:
            raise ValueError(f"[action_std_http] denied_cidrs: {cidr!r} is not a CIDR") from None
    return tuple(nets)


@dataclass(frozen=True)
class EgressPolicy:
    allowed_hosts: tuple[str, ...] = ()
    denied_cidrs: tuple[str, ...] = DEFAULT_DENIED_CIDRS
    default_timeout: float = DEFAULT_TIMEOUT
    max_response_size_bytes: int = DEFAULT_MAX_RESPONSE_SIZE
    _nets: tuple[Network, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_hosts", tuple(h.strip().lower().rstrip(".") for h in self.allowed_hosts if h.strip()))
        object.__setattr__(self, "denied_cidrs", tuple(self.denied_cidrs))
        object.__setattr__(self, "_nets", _networks(self.denied_cidrs))

    @classmethod
    def from_options(cls, group: Any) -> "EgressPolicy":
        """From an object with the ``[action_std_http]`` option attributes."""
        return cls(
            allowed_hosts=tuple(group.allowed_hosts or ()),
            denied_cidrs=tuple(group.denied_cidrs or ()),
            default_timeout=group.default_timeout,
            max_response_size_bytes=group.max_response_size_bytes,
        )

    def check_url(self, url: str) -> None:
        """Raise ``EgressDeniedError`` unless ``url`` may be requested."""
        try:
            parts = urlsplit(str(url))
            host = parts.hostname
            port = parts.port
        except ValueError as e:
            raise EgressDeniedError(f"Invalid URL {url!r}: {e}") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise EgressDeniedError(
                f"URL scheme {parts.scheme or '(none)'!r} of {url} is not allowed; only http and https")
        if not host:
            raise EgressDeniedError(f"URL {url} has no host")
        host = host.lower().rstrip(".")
        if self.allowed_hosts and host not in self.allowed_hosts:
            raise EgressDeniedError(
                f"Host {host} is not in [action_std_http] allowed_hosts ({', '.join(self.allowed_hosts)})")
        if not self._nets:
            return
        for address in _addresses(host, port or (443 if parts.scheme.lower() == "https" else 80)):
            self.check_address(address, host)

    def check_address(self, address: Any, host: str) -> None:
        """Raise ``EgressDeniedError`` when ``address`` (of ``host``) is in denied_cidrs."""
        if not isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            address = ipaddress.ip_address(str(address).split("%", 1)[0])
        mapped = getattr(address, "ipv4_mapped", None)
        for net in self._nets:
            if any(a is not None and a.version == net.version and a in net for a in (address, mapped)):
                raise EgressDeniedError(
                    f"Address {address} of host {host} is in {net}, denied by "
                    "[action_std_http] denied_cidrs")

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """``requests.request`` under this policy; the body is read (bounded) before it returns."""
        if kwargs.get("timeout") is None and self.default_timeout:
            kwargs["timeout"] = self.default_timeout
        kwargs["stream"] = True
        # a proxy the caller names (std.http's 'proxies') must pass the policy itself
        for proxy in (kwargs.get("proxies") or {}).values():
            if proxy:
                self.check_url(str(proxy))
        with _CheckedSession(self) as session:
            resp = session.request(method, url, **kwargs)
            self._read_bounded(resp)
            return resp

    def _read_bounded(self, resp: requests.Response) -> None:
        limit = self.max_response_size_bytes
        try:
            if limit:
                declared = resp.headers.get("Content-Length")
                if declared and declared.strip().isdigit() and int(declared) > limit:
                    raise EgressDeniedError(
                        f"Response of {resp.url} is {int(declared)} bytes, over "
                        f"[action_std_http] max_response_size_bytes ({limit})")
            body = bytearray()
            for chunk in resp.iter_content(_CHUNK):
                body += chunk
                if limit and len(body) > limit:
                    raise EgressDeniedError(
                        f"Response of {resp.url} is over [action_std_http] "
                        f"max_response_size_bytes ({limit}); stopped reading")
            resp._content = bytes(body)
        finally:
            resp.close()


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as e:
        raise EgressDeniedError(f"Cannot resolve host {host}: {e}") from None
    found = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        found.append(ipaddress.ip_address(text))
    return found


class _CheckedSession(requests.Session):
    """Checks every request it sends, including each redirect hop, before sending it,
    and the address each direct connection really reached (so a name that resolves to
    another address between the check and the connection is still caught)."""

    def __init__(self, policy: EgressPolicy) -> None:
        super().__init__()
        self._policy = policy
        if policy._nets:
            adapter = _PeerCheckingAdapter(policy)
            self.mount("http://", adapter)
            self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self._policy.check_url(str(request.url))
        return super().send(request, **kwargs)


def _peer_checked(conn_cls: type, policy: EgressPolicy) -> type:
    class Checked(conn_cls):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            try:
                policy.check_address(sock.getpeername()[0], self.host)
            except BaseException:
                sock.close()
                raise
            return sock

    return Checked


class _PeerCheckingAdapter(requests.adapters.HTTPAdapter):
    """Direct (not proxied) connections check the peer address before sending a byte."""

    def __init__(self, policy: EgressPolicy) -> None:
        self._policy = policy
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

        super().init_poolmanager(*args, **kwargs)
        pools = {}
        for scheme, base in (("http", HTTPConnectionPool), ("https", HTTPSConnectionPool)):
            pools[scheme] = type(f"PeerChecked{base.__name__}", (base,), {
                "ConnectionCls": _peer_checked(base.ConnectionCls, self._policy)})
        self.poolmanager.pool_classes_by_scheme = pools
