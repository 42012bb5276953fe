"""Money: Decimal parsing, rounding to cents, tax conversion, and the ISO 4217 currency list. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# ISO 4217 active codes (2024). A record naming any other currency is refused.
CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
    CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF
    IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
    MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()
)


def to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Parse a money or rate value. Accepts Decimal, int and decimal strings; refuses floats, NaN and infinities.

    Raises:
        ValueError: naming `field` when the value is not an exact decimal number.
    """
    if type(value) is str:  # the common case first (an API's decimal string): the same checks as below
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{field}: {value!r} is not a decimal number") from None
        if not result.is_finite():
            raise ValueError(f"{field}: {value!r} is not a finite number")
        return result
    if isinstance(value, bool):
        raise ValueError(f"{field}: {value!r} is not a number")
    if isinstance(value, float):
        raise ValueError(f"{field}: float {value!r} refused, money must be a decimal string")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{field}: {value!r} is not a decimal number") from None
    else:
        raise ValueError(f"{field}: {type(value).__name__} is not a decimal number")
    if not result.is_finite():
        raise ValueError(f"{field}: {value!r} is not a finite number")
    return result


def cents(value: Decimal) -> Decimal:
    """Round half up to cents, the way bookkeeping systems round a displayed amount."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to `places` decimals (e.g. unit prices kept at 4 decimals)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def net_from_gross(gross: Decimal, rate_percent: Decimal, places: int | None = None) -> Decimal:
    """Amount excl. tax from an amount incl. tax at `rate_percent` (e.g. 21). Unrounded unless `places` is given."""
    net = gross * HUNDRED / (HUNDRED + rate_percent)
    return net if places is None else quantize(net, places)


def gross_from_net(net: Decimal, rate_percent: Decimal, places: int | None = None) -> Decimal:
    """Amount incl. tax from an amount excl. tax. Unrounded unless `places` is given."""
    gross = net * (HUNDRED + rate_percent) / HUNDRED
    return gross if places is None else quantize(gross, places)


def tax_on_net(net: Decimal, rate_percent: Decimal) -> Decimal:
    """Tax on a net amount, rounded to cents."""
    return cents(net * rate_percent / HUNDRED)


def format_money(value: Decimal) -> str:
    """The record form of an amount: a plain decimal string, never exponent notation ("12.10", "-0.50")."""
    return format(value, "f")


def check_currency(code: str) -> str:
    """Return `code` if it is an ISO 4217 currency, else raise ValueError naming it."""
    if code not in CURRENCIES:
        raise ValueError(f"unknown currency {code!r} (expected an ISO 4217 code such as 'EUR')")
    return code
