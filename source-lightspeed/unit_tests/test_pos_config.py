"""K-Series and X-Series options: hosts, defaults, page-size ceilings, and errors that name the option."""

from __future__ import annotations

import re

import pytest

from connector_common.errors import ConfigError
from source_lightspeed.config import parse_config
from source_lightspeed.pos_config import KSeriesSettings, XSeriesSettings

KSERIES = {"platform_type": "kseries", "client_id": "c", "client_secret": "s", "refresh_token": "r"}
XSERIES = {"platform_type": "xseries", "domain_prefix": "goudenlepel",
           "credentials": {"auth_type": "personal_token", "personal_token": "lsxs_pt_x"}}


def test_given_a_kseries_config_then_production_host_every_location_default_items_and_at_most_100_per_page():
    settings = parse_config({"platform": KSERIES, "page_size": 250})

    assert isinstance(settings.platform, KSeriesSettings) and settings.source_name == "lightspeed_kseries"
    assert settings.platform.base_url == "https://api.lsk.lightspeed.app"
    assert settings.platform.token_url == "https://api.lsk.lightspeed.app/oauth/token"
    assert settings.platform.business_location_ids == ()
    assert (settings.platform.tip_sku, settings.platform.service_charge_sku) == ("TIP", "SERVICE")
    assert settings.page_size == 100
    trial = parse_config({"platform": {**KSERIES, "environment": "trial", "business_location_ids": ["4545"]}})
    assert isinstance(trial.platform, KSeriesSettings)
    assert trial.platform.base_url == "https://api.trial.lsk.lightspeed.app"
    assert trial.platform.business_location_ids == ("4545",)


def test_given_an_xseries_config_then_the_store_host_closed_statuses_and_at_most_200_per_page():
    settings = parse_config({"platform": XSERIES, "page_size": 250})

    assert isinstance(settings.platform, XSeriesSettings) and settings.source_name == "lightspeed_xseries"
    assert settings.platform.base_url == "https://goudenlepel.retail.lightspeed.app"
    assert settings.platform.token_url == "https://goudenlepel.retail.lightspeed.app/api/1.0/token"
    assert settings.platform.personal_token == "lsxs_pt_x" and settings.platform.refresh_token is None
    assert settings.platform.statuses == frozenset({"CLOSED", "ONACCOUNT_CLOSED", "LAYBY_CLOSED"})
    assert settings.page_size == 200


@pytest.mark.parametrize(("platform", "message"), [
    ({**KSERIES, "refresh_token": " "}, "platform.refresh_token is required"),
    ({**KSERIES, "environment": "staging"}, "platform.environment must be one of production, trial"),
    ({**KSERIES, "business_location_ids": ["45/../1"]}, "platform.business_location_ids: '45/../1' is not an id"),
    ({**XSERIES, "domain_prefix": "Gouden Lepel"}, "platform.domain_prefix 'gouden lepel' is not a store domain"),
    ({**XSERIES, "credentials": {"auth_type": "password"}}, "platform.credentials.auth_type 'password' is unknown"),
    ({**XSERIES, "credentials": {"auth_type": "oauth2", "client_id": "c", "client_secret": "s"}},
     "platform.credentials.refresh_token is required"),
    ({**XSERIES, "sale_statuses": ["PARKED"]}, "platform.sale_statuses: unknown status 'PARKED'"),
    ({**XSERIES, "currency": "EURO"}, "platform.currency"),
])
def test_given_a_bad_pos_option_when_parsed_then_the_config_error_names_it(platform, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config({"platform": platform, "start_date": "2024-01-01T00:00:00Z"})
