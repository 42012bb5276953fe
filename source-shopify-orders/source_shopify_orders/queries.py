"""GraphQL Admin API documents: the paged order/customer/product queries, the bulk query and the check queries.

Field names follow the GraphQL Admin API reference (2025-10 .. 2026-10). Amounts are requested as `shopMoney`
(or, with `in_presentment_currency`, as `presentmentMoney`): one money bag per amount keeps the requested cost
low. Nested connection sizes are small on purpose: Shopify's requested cost multiplies them by the page size, so
an order with more line items than the first nested page gets the rest from `more_line_items_query` (rare).
"""

from __future__ import annotations

MONEY = "{ shopMoney { amount currencyCode } }"
PRESENTMENT_MONEY = "{ presentmentMoney { amount currencyCode } }"
ADDRESS = "{ address1 address2 city zip provinceCode countryCodeV2 company firstName lastName phone }"
TAX_LINES = f"taxLines {{ rate ratePercentage title priceSet {MONEY} }}"
DISCOUNT_ALLOCATIONS = f"discountAllocations {{ allocatedAmountSet {MONEY} discountApplication {{ index }} }}"

LINE_ITEM_FIELDS = f"""
  __typename id sku name title variantTitle quantity taxable requiresShipping
  variant {{ id }} product {{ id }}
  originalUnitPriceSet {MONEY}
  {DISCOUNT_ALLOCATIONS}
  {TAX_LINES}
"""
SHIPPING_LINE_FIELDS = f"""
  __typename id title code originalPriceSet {MONEY} discountedPriceSet {MONEY}
  {TAX_LINES}
  {DISCOUNT_ALLOCATIONS}
"""
DISCOUNT_APPLICATION_FIELDS = """
  __typename index allocationMethod targetSelection targetType
  value { ... on MoneyV2 { amount currencyCode } ... on PricingPercentageValue { percentage } }
  ... on DiscountCodeApplication { code }
  ... on ManualDiscountApplication { title description }
  ... on AutomaticDiscountApplication { title }
  ... on ScriptDiscountApplication { title }
"""
REFUND_LINE_FIELDS = f"quantity restockType lineItem {{ id sku }} subtotalSet {MONEY} totalTaxSet {MONEY}"
ORDER_ADJUSTMENT_FIELDS = f"reason amountSet {MONEY} taxAmountSet {MONEY}"
REFUND_SHIPPING_FIELDS = f"subtotalAmountSet {MONEY} taxAmountSet {MONEY}"

ORDER_SCALARS = f"""
  id name createdAt updatedAt processedAt cancelledAt cancelReason
  displayFinancialStatus displayFulfillmentStatus test currencyCode presentmentCurrencyCode taxesIncluded
  email phone note tags sourceName
  customer {{ id email firstName lastName phone }}
  purchasingEntity {{ ... on PurchasingCompany {{ company {{ id name }}
    location {{ id taxSettings {{ taxRegistrationId }} }} }} }}
  billingAddress {ADDRESS}
  shippingAddress {ADDRESS}
  subtotalPriceSet {MONEY} totalPriceSet {MONEY} totalTaxSet {MONEY} totalDiscountsSet {MONEY}
  totalShippingPriceSet {MONEY} totalRefundedSet {MONEY}
  {TAX_LINES}
  transactions {{ id kind status gateway processedAt amountSet {MONEY} }}
"""


def in_presentment_currency(query: str) -> str:
    """The same document asking for the customer's presentment currency instead of the shop currency."""
    return query.replace(MONEY, PRESENTMENT_MONEY)


def orders_query(lines_per_order: int, refund_lines: int = 10) -> str:
    """The paged incremental orders query: variables $first, $after, $q (the search filter)."""
    return f"""
query Orders($first: Int!, $after: String, $q: String) {{
  orders(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {ORDER_SCALARS}
      lineItems(first: {lines_per_order}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_ITEM_FIELDS} }} }}
      shippingLines(first: 3) {{ nodes {{ {SHIPPING_LINE_FIELDS} }} }}
      discountApplications(first: 5) {{ nodes {{ {DISCOUNT_APPLICATION_FIELDS} }} }}
      refunds {{ id createdAt note totalRefundedSet {MONEY}
        refundLineItems(first: {refund_lines}) {{ nodes {{ {REFUND_LINE_FIELDS} }} }}
        refundShippingLines(first: 3) {{ nodes {{ {REFUND_SHIPPING_FIELDS} }} }}
        orderAdjustments(first: 3) {{ nodes {{ {ORDER_ADJUSTMENT_FIELDS} }} }} }}
    }}
  }}
}}"""


def more_line_items_query(page: int) -> str:
    """Further line items of one order whose first page did not hold them all: variables $id, $after."""
    return f"""
query MoreLineItems($id: ID!, $after: String) {{
  node(id: $id) {{ ... on Order {{
    lineItems(first: {page}, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_ITEM_FIELDS} }} }}
  }} }}
}}"""


CUSTOMERS_QUERY = f"""
query Customers($first: Int!, $after: String, $q: String) {{
  customers(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id email firstName lastName phone createdAt updatedAt taxExempt state verifiedEmail tags
      defaultAddress {ADDRESS} }}
  }}
}}"""


def products_query(variants_per_product: int) -> str:
    """The paged incremental products query with their variants (one canonical product per variant)."""
    return f"""
query Products($first: Int!, $after: String, $q: String) {{
  products(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id title description productType vendor status createdAt updatedAt
      variants(first: {variants_per_product}) {{ pageInfo {{ hasNextPage endCursor }}
        nodes {{ id sku title price barcode taxable updatedAt }} }} }}
  }}
}}"""


def more_variants_query(page: int) -> str:
    return f"""
query MoreVariants($id: ID!, $after: String) {{
  node(id: $id) {{ ... on Product {{
    variants(first: {page}, after: $after) {{ pageInfo {{ hasNextPage endCursor }}
      nodes {{ id sku title price barcode taxable updatedAt }} }}
  }} }}
}}"""


ORDERS_COUNT_QUERY = "query Count($q: String) { ordersCount(query: $q, limit: null) { count precision } }"
SHOP_QUERY = "query Shop { shop { name currencyCode taxesIncluded } }"
SCOPES_QUERY = "query Scopes { currentAppInstallation { accessScopes { handle } } }"
REFUNDS_QUERY = f"""
query Refunds($ids: [ID!]!) {{
  nodes(ids: $ids) {{ ... on Order {{ id
    refunds {{ id createdAt note totalRefundedSet {MONEY}
      refundLineItems(first: 50) {{ nodes {{ {REFUND_LINE_FIELDS} }} }}
      refundShippingLines(first: 3) {{ nodes {{ {REFUND_SHIPPING_FIELDS} }} }}
      orderAdjustments(first: 5) {{ nodes {{ {ORDER_ADJUSTMENT_FIELDS} }} }} }} }} }}
}}"""
CUSTOMER_PII_PROBE = "query Pii { customers(first: 1) { nodes { id email firstName } } }"

# Bulk operations: no `first` on connections, children come back as separate JSONL lines with __parentId.
BULK_ORDERS_INNER = f"""
{{ orders(query: "%(search)s", sortKey: UPDATED_AT) {{ edges {{ node {{
  {ORDER_SCALARS}
  refunds {{ id createdAt note totalRefundedSet {MONEY} }}
  lineItems {{ edges {{ node {{ {LINE_ITEM_FIELDS} }} }} }}
  shippingLines {{ edges {{ node {{ {SHIPPING_LINE_FIELDS} }} }} }}
  discountApplications {{ edges {{ node {{ {DISCOUNT_APPLICATION_FIELDS} }} }} }}
}} }} }} }}
"""

BULK_RUN_MUTATION = """
mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}"""

BULK_POLL_QUERY = """
query Poll($id: ID!) {
  node(id: $id) { ... on BulkOperation {
    id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt } }
}"""

BULK_CANCEL_MUTATION = """
mutation Cancel($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } } }
"""
