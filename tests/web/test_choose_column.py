"""The list kit's choose column: its header box names the bulk action's form and the rows' name, so the
page's script ticks exactly the boxes of that form; it has a label for screen readers, and no export
carries the column."""

import pytest

from jianguan.complaints.lists import DispatchWorkOrderTable
from jianguan.joint.lists import NoticeTable
from tests.html_forms import inputs


@pytest.mark.parametrize(
    ("table", "form", "name"),
    [(DispatchWorkOrderTable, "bulk-dispatch", "orders"), (NoticeTable, "bulk-read", "notices")],
)
def test_the_header_box_points_to_the_bulk_form_and_its_rows(db, table, form, name):
    column = table([]).columns["select"]
    [box] = inputs(str(column.header))
    assert (box["type"], box["form"], box["data-check-all"]) == ("checkbox", form, name)
    assert "name" not in box  # the header box itself is never posted
    assert box["aria-label"] and "%(n)s" in box["data-chosen-text"]
    assert column.column.exclude_from_export
