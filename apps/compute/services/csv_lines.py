"""Reading uploaded CSV files line by line, so errors can name the line they are on."""

import csv
import io
from collections.abc import Iterator


def csv_lines(content: str, *, header_first_cell: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every non-empty line; an optional header line is skipped."""
    for number, row in enumerate(csv.reader(io.StringIO(content.lstrip("\ufeff"))), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == header_first_cell:
            continue
        yield number, cells
