"""spine label templates: an A4 sheet of 20 x 35 mm spine labels, a 24 mm spine roll and an
A4 sheet of wide labels for a barcode label and a spine label side by side

Revision ID: b3d9e5f1a7c2
Revises: 79297db2e561
Create Date: 2026-12-03 05:10:00

Data only: a new installation gets them from app.core.defaults; an existing one gets them
here, unless it already has a template of the same name.
"""
from alembic import op
import sqlalchemy as sa

revision = 'b3d9e5f1a7c2'
down_revision = '79297db2e561'
branch_labels = None
depends_on = None

TEMPLATES = [
    dict(name="A4 spine labels 9x8 (20 x 35 mm)", page_width_mm=210, page_height_mm=297,
         rows=8, columns=9, label_width_mm=20, label_height_mm=35, margin_top_mm=8.5,
         margin_left_mm=7, gap_x_mm=2, gap_y_mm=0),
    dict(name="24 mm spine roll (24 x 40 mm)", page_width_mm=24, page_height_mm=40, rows=1,
         columns=1, label_width_mm=24, label_height_mm=40, margin_top_mm=0,
         margin_left_mm=0, gap_x_mm=0, gap_y_mm=0),
    dict(name="A4 label + spine 2x8 (99.1 x 34 mm)", page_width_mm=210, page_height_mm=297,
         rows=8, columns=2, label_width_mm=99.1, label_height_mm=34, margin_top_mm=12.5,
         margin_left_mm=4.65, gap_x_mm=2.5, gap_y_mm=0),
]


def upgrade():
    connection = op.get_bind()
    count = connection.execute(sa.text("SELECT count(*) FROM label_template")).scalar()
    if not count:
        return  # an empty installation gets every default template on first use
    for values in TEMPLATES:
        taken = connection.execute(sa.text("SELECT 1 FROM label_template WHERE name = :name"),
                                   {"name": values["name"]}).first()
        if taken:
            continue
        connection.execute(sa.text(
            "INSERT INTO label_template (name, kind, page_width_mm, page_height_mm, \"rows\", "
            "\"columns\", label_width_mm, label_height_mm, margin_top_mm, margin_left_mm, "
            "gap_x_mm, gap_y_mm, offset_x_mm, offset_y_mm, is_default, updated_at) VALUES "
            "(:name, 'copy', :page_width_mm, :page_height_mm, :rows, :columns, "
            ":label_width_mm, :label_height_mm, :margin_top_mm, :margin_left_mm, :gap_x_mm, "
            ":gap_y_mm, 0, 0, false, CURRENT_TIMESTAMP)"), values)


def downgrade():
    connection = op.get_bind()
    for values in TEMPLATES:
        connection.execute(sa.text("DELETE FROM label_template WHERE name = :name"),
                           {"name": values["name"]})
