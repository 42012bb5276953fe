"""Run the source from a checkout: `python main.py spec|check|discover|read ...`."""

from source_exact_online.run import run

if __name__ == "__main__":
    run()
