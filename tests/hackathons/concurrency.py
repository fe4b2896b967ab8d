"""Run the same action from several threads at once, each on its own database connection."""

import threading

from django.db import connection


def run_at_once(action, arguments) -> list:
    """Call `action(argument)` for every argument simultaneously; return outcomes or exceptions."""
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def run(argument):
        try:
            barrier.wait()
            outcomes.append(action(argument))
        except Exception as exc:  # noqa: BLE001 - the caller asserts on what went wrong
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
