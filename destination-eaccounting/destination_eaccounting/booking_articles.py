"""The Booker's articles: found by number (bulk lookups, remembered in a bounded cache that compares numbers as
eAccounting does, case-insensitively), updated, or created once for the rows of a plan; the `products` stream takes the
same path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from connector_common.caches import CodeCache
from connector_common.errors import RecordError
from connector_common.model import Product
from connector_common.money import to_decimal
from connector_common.vat import Scenario, VatTreatment
from destination_eaccounting.client import EaccountingClient
from destination_eaccounting.config import Settings
from destination_eaccounting.mapping import article_payload, product_article
from destination_eaccounting.plan import ArticleNeed, ArticleView, DocumentPlan, ReferenceData
from destination_eaccounting.planner import generic_number
from destination_eaccounting.vat_codes import MissingCoding
from destination_eaccounting.writes import BookerPart, Created, refusals

DRY_RUN_ID = "(dry run)"


class ArticleViews(Mapping[str, ArticleView]):
    """The cached articles as a plan sees them, each built when the plan asks for it (a plan asks for a few; building
    a view of every cached article for every order cost time in proportion to the catalogue)."""

    def __init__(self, cache: CodeCache[dict[str, Any] | None], codings: Mapping[str, Any]) -> None:
        self._cache = cache
        self._codings = codings

    def __getitem__(self, number: str) -> ArticleView:
        article = self._cache.get(number)
        if article is None:
            raise KeyError(number)
        shown = str(article.get("Number") or number)
        return ArticleView(id=article["Id"], number=shown, name=str(article.get("Name") or shown),
                           coding=self._codings.get(str(article.get("CodingId"))))

    def __iter__(self) -> Iterator[str]:
        return iter([number for number, article in self._cache.items() if article is not None])

    def __len__(self) -> int:
        return sum(article is not None for article in self._cache.values())


class Articles(BookerPart):
    """Articles for the Booker, remembered in a cache of at most `cache_size` (found or not)."""

    def __init__(self, client: EaccountingClient, settings: Settings, ref: ReferenceData, counts: Counter[str],
                 created: Created, *, cache_size: int) -> None:
        super().__init__(client, settings, ref, counts, created)
        # article number -> article or None; eAccounting compares article numbers case-insensitively (its OData
        # filter and its "Article number ... is already in use" check), so does the cache
        self.cache: CodeCache[dict[str, Any] | None] = CodeCache(cache_size)
        self._updated: set[str] = set()  # casefolded

    def generic_numbers(self) -> list[str]:
        s = self.settings
        bases = (s.shipping_article_number, s.discount_article_number, s.generic_article_number,
                 s.rounding_article_number)
        return [generic_number(b, c) for b in bases for c in self.ref.codings_by_id.values()]

    def lookup(self, numbers: list[str]) -> None:
        missing = [n for n in dict.fromkeys(numbers) if n and len(n) <= 40 and n not in self.cache]
        if not missing:
            return
        for n in missing:
            self.cache[n] = None
        for article in self.client.find_articles(missing):
            if article.get("Number") in self.cache:
                self.cache[article["Number"]] = article

    def views(self) -> ArticleViews:
        return ArticleViews(self.cache, self.ref.codings_by_id)

    def ensure(self, plan: DocumentPlan) -> dict[str, str]:
        ids: dict[str, str] = {}
        for row in plan.rows:
            need = row.article
            if need.number in ids:
                continue
            existing = self.cache.get(need.number)
            if existing is None and need.number not in self.cache:
                self.lookup([need.number])
                existing = self.cache.get(need.number)
            if existing is not None:
                self._maybe_update(existing, need)
                ids[need.number] = existing["Id"]
            elif self.settings.dry_run:
                self.counts["would_create"] += 1
                ids[need.number] = DRY_RUN_ID
                self.cache[need.number] = {"Id": DRY_RUN_ID, "Number": need.number, "Name": need.name,
                                           "CodingId": need.coding.id}
            else:
                created = self._create(need)
                ids[need.number] = created["Id"]
        return ids

    def _create(self, need: ArticleNeed) -> dict[str, Any]:
        payload = article_payload(need, self.ref.unit_id)

        def find() -> dict[str, Any] | None:
            self.cache.pop(need.number, None)
            self.lookup([need.number])
            return self.cache.get(need.number)

        created = self._created(lambda: self.client.create_article(payload), find, f"article {need.number!r}")
        self.cache[need.number] = created
        self.counts["created"] += 1
        return created

    def _maybe_update(self, existing: dict[str, Any], need: ArticleNeed) -> None:
        if (not self.settings.update_existing_articles or need.kind != "sku" or need.net_price is None
                or need.number.casefold() in self._updated):
            return
        self._updated.add(need.number.casefold())
        wanted = article_payload(need, str(existing.get("UnitId") or self.ref.unit_id))
        changes = {k: v for k, v in wanted.items() if k in ("Name", "NetPrice", "GrossPrice")
                   and _differs(existing.get(k), v)}
        if not changes:
            return
        if self.settings.dry_run:
            self.counts["would_update"] += 1
            return
        self.cache[need.number] = self.client.update_article(existing["Id"], {**existing, **changes}) or existing
        self.counts["updated"] += 1

    def write(self, product: Product) -> str:
        scenario = Scenario.DOMESTIC if product.tax_rate > 0 else Scenario.DOMESTIC_ZERO
        treatment = VatTreatment(scenario=scenario, rate=product.tax_rate, country=self.ref.context.seller_country)
        try:
            coding = self.ref.context.codings.coding_for(treatment)
        except MissingCoding as exc:
            raise RecordError("products", product.source_id, "tax_rate", str(exc)) from None
        need = product_article(product, coding)
        if need is None:
            return "skipped_no_sku"
        self.lookup([need.number])
        existing = self.cache.get(need.number)
        if existing is not None:
            before = self.counts["updated"] + self.counts["would_update"]
            self._maybe_update(existing, need)
            after = self.counts["updated"] + self.counts["would_update"]
            return "updated" if after > before else "exists"
        if not self.settings.create_missing_articles:
            return "skipped_no_create"
        if self.settings.dry_run:
            self.counts["would_create"] += 1
            return "dry_run"
        with refusals("products", product.source_id, "product", "article"):
            self._create(need)
        return "created"


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, Decimal):
        try:
            return to_decimal(current if not isinstance(current, float) else str(current)) != wanted
        except ValueError:
            return True
    return bool(current != wanted)
