"""The Shopify GraphQL client of this source: the shared one in `connector_common.shopify` (also used by
destination-shopify), re-exported under the names the source's modules and tests import."""

from connector_common.shopify import (
    DEFAULT_BUCKET,
    MAX_PAGE_SIZE,
    MAX_QUERY_COST,
    TOKEN_HEADER,
    CostBucketLimiter,
    GraphQLResult,
    MissingScope,
    ProtectedDataDenied,
    QueryTooExpensive,
    ShopifyClient,
    ShopifyOAuth,
    UnknownShop,
    base_url_for,
    classify_error,
    error_message,
    fitting_page_size,
    graphql_errors,
    make_auth,
    shop_host,
)

__all__ = [
    "DEFAULT_BUCKET", "MAX_PAGE_SIZE", "MAX_QUERY_COST", "TOKEN_HEADER", "CostBucketLimiter", "GraphQLResult",
    "MissingScope", "ProtectedDataDenied", "QueryTooExpensive", "ShopifyClient", "ShopifyOAuth", "UnknownShop",
    "base_url_for", "classify_error", "error_message", "fitting_page_size", "graphql_errors", "make_auth",
    "shop_host",
]
