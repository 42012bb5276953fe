import logging
from typing import Any

from airbyte_cdk.models import ConnectorSpecification

from connector_common.entrypoint import _spec_of


def test_given_the_edge_check_read_the_spec_when_the_cdk_asks_again_then_spec_yaml_is_not_parsed_twice():
    parsed: list[int] = []

    class Connector:
        def spec(self, logger: logging.Logger) -> ConnectorSpecification:
            parsed.append(1)
            return ConnectorSpecification(connectionSpecification={"type": "object", "required": ["api_url"]})

    connector: Any = Connector()
    assert _spec_of(connector) == {"type": "object", "required": ["api_url"]}
    again = connector.spec(logging.getLogger("airbyte"))  # what the CDK's entrypoint does next
    assert again.connectionSpecification["required"] == ["api_url"] and len(parsed) == 1
