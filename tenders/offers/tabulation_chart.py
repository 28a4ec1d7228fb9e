"""The tendered percentage over business time, as an SVG chart drawn on the server.

This module works out the geometry (coordinates, ticks, labels) from `TenderedOverTime`; the
template `admin/tenders/tabulation_chart.svg` writes the elements. The SVG carries no script
and no style: presentation attributes give its look when it stands alone (the download), and
the classes let `static/css/admin_tabulation.css` restyle it in the admin (its dark theme), so
it works under the Content-Security-Policy.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from exchange_office.formatting import (
    NEW_YORK,
    describe_instant,
    dollars,
    in_new_york,
    month_day,
    short_date,
    timestamp,
)
from notes.domain.deadlines import expiration_day
from tenders.domain.tabulation import percent_of
from tenders.offers.tabulation import TenderedOverTime

WIDTH, HEIGHT = 860, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 64, 100, 52  # margins around the plot (the last value at right)
TICK_SPACING = 84  # pixels at least between two date labels
SERIES_LABEL = "Tendered through the office"


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Mark:
    """An extension: a vertical line where it was recorded, labelled with the new expiration."""

    x: float
    label: str
    label_x: float
    label_y: float
    anchor: str
    title: str


@dataclass(frozen=True, slots=True)
class Dot:
    points: str  # a diamond's corners
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    title: str
    subtitle: str
    x_label: str
    y_label: str
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    path: str
    end_x: float
    end_y: float
    end_label: str
    minimum_y: float
    minimum_label: str
    extensions: tuple[Mark, ...]
    agent_dots: tuple[Dot, ...]

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        return self.bottom - self.top

    @property
    def title_y(self) -> int:
        return 22

    @property
    def subtitle_y(self) -> int:
        return 40

    @property
    def legend_y(self) -> int:
        return 62

    @property
    def y_tick_label_x(self) -> float:
        return self.left - 6

    @property
    def end_label_x(self) -> float:
        """The last value is written just right of the plot, level with the line's end."""
        return self.right + 5

    @property
    def series_label(self) -> str:
        return SERIES_LABEL

    @property
    def x_label_y(self) -> float:
        return self.height - 10

    @property
    def y_label_x(self) -> int:
        return 16

    @property
    def y_label_y(self) -> float:
        return (self.top + self.bottom) / 2


def _percent(principal: Decimal, outstanding: Decimal) -> float:
    # Geometry only: every figure shown as text is worked in Decimal elsewhere.
    return float(principal * 100 / outstanding) if outstanding > 0 else 0.0


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=NEW_YORK)


def _date_ticks(start: datetime, end: datetime, most: int) -> list[date]:
    """New York midnights between start and end: every day, two days, Monday or other
    Monday; or the first of every month, two, three or six months, whichever fits."""
    first, last = in_new_york(start).date(), in_new_york(end).date()
    if _midnight(first) < start:
        first += timedelta(days=1)
    days = (last - first).days + 1
    for step in (1, 2, 7, 14):
        if days / step <= most:
            if step >= 7:
                first += timedelta(days=(7 - first.weekday()) % 7)  # a Monday
            return [first + timedelta(days=n) for n in range(0, days, step)]
    for months in (1, 2, 3, 6, 12):
        if days / (30 * months) <= most:
            break
    ticks: list[date] = []
    year, month = first.year, first.month
    if first.day != 1:
        month += 1
    while True:
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        day = date(year, month, 1)
        if day > last:
            return ticks
        ticks.append(day)
        month += months


def build_chart(history: TenderedOverTime, *, y_from: int = 0) -> Chart:
    """The chart of `history`, its percentage axis from `y_from` to 100 (a close-up of the
    last stretch when 90). Values below `y_from` sit on the axis."""
    left, top = float(LEFT), float(TOP)
    right, bottom = float(WIDTH - RIGHT), float(HEIGHT - BOTTOM)
    span = (history.end - history.start).total_seconds()

    def x(at: datetime) -> float:
        seconds = min(max((at - history.start).total_seconds(), 0), span)
        return round(left + seconds / span * (right - left), 1)

    def y(percent: float) -> float:
        clamped = min(max(percent, y_from), 100)
        return round(top + (100 - clamped) / (100 - y_from) * (bottom - top), 1)

    outstanding = history.outstanding
    # A step line; moments that fall on one pixel column keep the last value.
    steps: list[tuple[float, float]] = [(x(history.start), y(0))]
    for at, total in history.points:
        px, py = x(at), y(_percent(total, outstanding))
        if steps and steps[-1][0] == px and len(steps) > 1:
            steps[-1] = (px, py)
        else:
            steps.append((px, py))
    path = f"M{steps[0][0]} {steps[0][1]}" + "".join(f" H{px} V{py}" for px, py in steps[1:])
    end_x, end_y = right, steps[-1][1]
    path += f" H{end_x}"
    last_total = history.points[-1][1] if history.points else Decimal(0)
    step = (100 - y_from) // 5 or 1
    y_ticks = tuple(Tick(y(p), f"{p}%") for p in range(y_from, 101, step))
    most = max(2, int((right - left) // TICK_SPACING))
    x_ticks = tuple(
        Tick(x(_midnight(day)), month_day(day))
        for day in _date_ticks(history.start, history.end, most)
    )
    marks = []
    for n, extension in enumerate(history.extensions):
        mx = x(extension.at)
        label_y = top - 18 + 12 * (n % 2)
        near_right = mx > right - 150
        new = extension.new_expiration
        label = f"Extended to {month_day(expiration_day(new))}" if new else "Extended"
        title = f"{timestamp(extension.at)}: extended"
        if extension.previous_expiration:
            title += f" from {describe_instant(extension.previous_expiration)}"
        if new:
            title += f" to {describe_instant(new)}"
        marks.append(
            Mark(
                x=mx,
                label=label,
                label_x=mx - 3 if near_right else mx + 3,
                label_y=label_y,
                anchor="end" if near_right else "start",
                title=title,
            )
        )
    dots = []
    for point in history.agent_points:
        dx, dy = x(point.at), y(_percent(point.principal, outstanding))
        dots.append(
            Dot(
                points=f"{dx},{dy - 5} {dx + 5},{dy} {dx},{dy + 5} {dx - 5},{dy}",
                title=f"Exchange agent: {dollars(point.principal)} as of "
                f"{short_date(in_new_york(point.as_of).date())}",
            )
        )
    first_year, last_year = history.start.year, in_new_york(history.end).year
    years = str(first_year) if first_year == last_year else f"{first_year} to {last_year}"
    minimum = history.minimum_percent.normalize()
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        title="Tendered, as a percentage of the outstanding principal"
        + (f" (close-up from {y_from}%)" if y_from else ""),
        subtitle=f"{dollars(outstanding)} outstanding; from {short_date(history.start.date())} "
        f"to {timestamp(history.end)}",
        x_label=f"Business time, New York ({years})",
        y_label=f"% of {dollars(outstanding)}",
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        path=path,
        end_x=end_x,
        end_y=end_y,
        end_label=f"{percent_of(last_total, outstanding)}%",
        minimum_y=y(float(history.minimum_percent)),
        minimum_label=f"{format(minimum, 'f')}% minimum condition",
        extensions=tuple(marks),
        agent_dots=tuple(dots),
    )
