"""A Twisted resolver for crawler tests in which every host name fails to resolve, as an unknown domain does,
without a query ever leaving the machine (set with `-s TWISTED_DNS_RESOLVER=dns_failure.FailingResolver`)."""
from __future__ import annotations

from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


@implementer(IResolverSimple)
class FailingResolver:
    def __init__(self, reactor) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler, reactor) -> FailingResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout=()) -> defer.Deferred:  # noqa: N802 - Twisted's interface
        return defer.fail(DNSLookupError(f"no such host: {name}"))
