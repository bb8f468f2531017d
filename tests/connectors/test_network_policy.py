"""Which addresses CONNECTOR_BLOCK_PRIVATE_NETWORKS keeps vendor calls away from.

Tests may only reach loopback, so the other ranges are judged here, address by address; the
tests through the worker (tests/test_vendor_limits.py) show the judgement is applied.
"""

from __future__ import annotations

import ipaddress

import pytest

from connectors.network import address_kind


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("169.254.169.254", "link-local"),  # cloud metadata (AWS, GCP, Azure)
        ("fe80::1", "link-local"),
        ("fe80::1%2", "link-local"),  # with a scope id, as getaddrinfo gives it
        ("::ffff:169.254.169.254", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd00:ec2::254", "private"),  # AWS's IPv6 metadata address
        ("::ffff:10.1.2.3", "private"),
        ("2002:0a00:0001::1", "private"),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),  # reserved; the ipaddress module counts it private too
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("198.18.0.1", "private"),  # benchmarking
    ],
)
def test_non_public_addresses_are_refused_naming_their_kind(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "1.1.1.1",
        "8.8.8.8",
        "172.32.0.1",  # just past 172.16.0.0/12
        "2606:4700:4700::1111",
        "::ffff:93.184.216.34",
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:5db8:d822::1",  # 6to4 of 93.184.216.34
    ],
)
def test_public_addresses_are_allowed(address):
    assert address_kind(ipaddress.ip_address(address)) is None
