"""Run the source from a checkout: `python main.py read --config ... --catalog ...`."""

from source_shopify_orders.run import run

if __name__ == "__main__":
    run()
