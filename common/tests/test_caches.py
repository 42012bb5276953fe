from connector_common.caches import CodeCache


def test_codes_differing_only_in_case_are_one_entry_and_the_oldest_is_evicted_first():
    cache: CodeCache[str | None] = CodeCache(2)
    cache["SKU-101"] = "item-1"
    assert cache.get("sku-101") == "item-1" and "Sku-101" in cache
    cache["sku-101"] = "item-1b"
    assert len(cache) == 1 and cache["SKU-101"] == "item-1b"
    cache["SKU-102"] = None  # looked up, not there
    assert "sku-102" in cache and cache.get("sku-102", "missing") is None
    cache.get("sku-101")  # used: SKU-102 is now the least recently used
    cache["SKU-103"] = "item-3"
    assert "sku-102" not in cache and "SKU-101" in cache
    assert cache.pop("sku-103") == "item-3" and "SKU-103" not in cache
