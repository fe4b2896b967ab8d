"""Read one metric from `/metrics` as Prometheus would: a test scrapes before and after an event."""

from prometheus_client.parser import text_string_to_metric_families


def metric(client, name: str, /, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when none is there yet)."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.status_code
    return sum(
        sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items())
    )
