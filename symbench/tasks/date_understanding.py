"""Date Understanding (seen, BIG-Bench-Hard): find a date from a reference date and offsets.

A reference date is given (written out, as MM/DD/YYYY, or as "the second Tuesday of March
1984", "the last day of February 2000", ...), then a chain of events each a number of days or
weeks before or after the previous one, ending at today. The question asks for a date relative
to today (tomorrow, 10 days ago, one week from today, a month ago, one year ago...) and offers
options in MM/DD/YYYY, exactly one right. Calendar: proleptic Gregorian (leap years matter).
"A month ago"/"one year ago" keep the day of the month; the generator only asks them where that
day exists, so the answer is never ambiguous.

Accepted answers: the option letter (``B``, ``(B)``, ``B)``, ``option B``, ``(B) 01/04/1938``)
or the date of exactly one option in M/D/YYYY (zero padding optional) or ISO YYYY-MM-DD form.
Compared exactly against the one right option.

Originals: the 250 BBH items use 41 distinct scenario sentences. We do not trust the stored
targets blindly: ``SCENARIOS`` gives, for each sentence, the date it names and the days to add
to reach today (read off the sentence by hand, e.g. "2015 is coming in 36 hours" -> noon on
12/30/2014), and the question's offset is parsed; the option holding the resulting date is our
answer. Where a month or a year back lands on a missing day (from 03/31 or 02/29) both readings
(the month's last day, or the overflow into the next month) are allowed, and the answer must be
the only option holding one of them. The original graded with a GPT-4o judge that passed any
judgment containing ``correct``; we grade deterministically.

Known defects of the stored targets (20 of 250, flagged with the reason, listed in ``DEFECTS``):
- "married on Jan 2, 1958 ... 5-year anniversary today" (6): the targets take today as
  01/02/1961; the fifth anniversary is 01/02/1963.
- "2015 is coming in 36 hours" (7): the targets take today as 12/29/2014; 36 hours before
  01/01/2015 00:00 is noon on 12/30/2014.
- "Today is the US Thanksgiving of 2001" (6): options and targets are in 2002 (11/22/2002, not
  even a Thursday); Thanksgiving 2001 is 11/22/2001.
- "the last day of Jan 2012", one week later (1): the target is 02/06/2012, not 02/07/2012.
Where none of the original options holds the right date, our question adds it as one more
option, so every imported item has exactly one right option.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._bbh_answers import letter, normalise_text, parse_option

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NTH = ("first", "second", "third", "fourth")
EVENTS = (
    "the book fair", "the chess final", "the dentist appointment", "the science fair",
    "the harvest festival", "the board meeting", "the piano recital", "the marathon",
    "the product launch", "the school play", "the job interview", "the family reunion",
    "the art auction", "the city council vote", "the robotics contest",
)  # fmt: skip
QUESTIONS = (
    "today", "tomorrow", "yesterday", "days_ago", "days_later", "week_ago", "week_later",
    "month_ago", "month_later", "year_ago", "year_later",
)  # fmt: skip


@dataclass(frozen=True)
class DateKnobs(Knobs):
    #: events chained between the reference date and today (0: the date is today)
    min_links: int
    max_links: int
    options: int = 6
    #: largest offset of one link, in days
    max_days: int = 30
    #: allow references such as "the third Friday of May 1990" or "the last day of February"
    calendar_phrases: bool = False
    min_year: int = 1900
    max_year: int = 2030

    def validate(self) -> None:
        if not 0 <= self.min_links <= self.max_links <= len(EVENTS):
            raise ValueError(f"need 0 <= min_links <= max_links <= {len(EVENTS)}")
        if not 3 <= self.options <= 12:
            raise ValueError("need 3 <= options <= 12")
        if not 1 <= self.max_days <= 3000:
            raise ValueError("need 1 <= max_days <= 3000")
        if not 1000 <= self.min_year <= self.max_year <= 9000:
            raise ValueError("need 1000 <= min_year <= max_year <= 9000")
        if self.max_links * self.max_days > 100 * 365:  # keeps every date inside 1..9999
            raise ValueError("the links may span at most 100 years")


# -- calendar -----------------------------------------------------------------------------------


def fmt(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def parse_date(text: str) -> dt.date | None:
    """``1/4/1938``, ``01/04/1938`` or ``1938-01-04``; ``None`` if not a real date."""
    s = text.strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s)
    if match:
        month, day, year = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
        if match is None:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_key(text: str) -> str:
    """Compare option texts as dates when they are dates."""
    day = parse_date(normalise_text(text))
    return fmt(day) if day else normalise_text(text)


def shift_months(day: dt.date, months: int) -> list[dt.date]:
    """The same day ``months`` later; where that day does not exist, both readings (the
    month's last day, and the overflow into the following month)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    try:
        return [dt.date(year, month + 1, day.day)]
    except ValueError:
        last = _last_day(year, month + 1)
        return [last, last + dt.timedelta(days=day.day - last.day)]


def _last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """``nth`` 0-3 for first..fourth, -1 for the last."""
    if nth < 0:
        last = _last_day(year, month)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * nth)


def apply_question(today: dt.date, kind: str, amount: int) -> list[dt.date]:
    """The date(s) the question asks for (several only for a missing day of a month/year)."""
    if kind in ("month_ago", "month_later"):
        return shift_months(today, -amount if kind == "month_ago" else amount)
    if kind in ("year_ago", "year_later"):
        return shift_months(today, 12 * (-amount if kind == "year_ago" else amount))
    signs = {"today": 0, "tomorrow": 1, "yesterday": -1, "days_ago": -1, "days_later": 1}
    if kind in signs:
        return [today + dt.timedelta(days=signs[kind] * (amount if "days" in kind else 1))]
    weeks = -amount if kind == "week_ago" else amount
    return [today + dt.timedelta(days=7 * weeks)]


def question_phrase(kind: str, amount: int) -> str:
    plural = "" if amount == 1 else "s"
    return {
        "today": "today",
        "tomorrow": "tomorrow",
        "yesterday": "yesterday",
        "days_ago": f"{amount} day{plural} before today",
        "days_later": f"{amount} day{plural} after today",
        "week_ago": f"{amount} week{plural} before today",
        "week_later": f"{amount} week{plural} after today",
        "month_ago": f"{amount} month{plural} before today (same day of the month)",
        "month_later": f"{amount} month{plural} after today (same day of the month)",
        "year_ago": f"{amount} year{plural} before today (same month and day)",
        "year_later": f"{amount} year{plural} after today (same month and day)",
    }[kind]


# -- the task -----------------------------------------------------------------------------------


def question_for(story: str, asked: str, options: list[str]) -> str:
    choices = "\n".join(f"({letter(i)}) {text}" for i, text in enumerate(options))
    return (
        f"{story}\n\nWhich date is {asked}? Dates are written MM/DD/YYYY.\n{choices}\n\n"
        "Answer with the letter of the right date, wrapped like <<<A>>>."
    )


class DateUnderstanding(Task[DateKnobs]):
    name = "date_understanding"
    title = "Date Understanding"
    split = Split.SEEN
    aliases = ("date understanding", "date")
    answer_format = "the letter of the right date, e.g. <<<B>>>"
    levels = {
        1: DateKnobs(0, 0),  # BBH-like: the date is given for today
        2: DateKnobs(1, 1, max_days=10),  # BBH-like: one hop (yesterday was, N days since...)
        3: DateKnobs(2, 2, calendar_phrases=True),
        4: DateKnobs(3, 3, max_days=60, calendar_phrases=True),
        5: DateKnobs(5, 5, options=8, max_days=120, calendar_phrases=True, min_year=1600),
        6: DateKnobs(8, 8, options=10, max_days=400, calendar_phrases=True, min_year=1200),
    }
    default_levels = (1, 2)
    original_sources = (OriginalSource("BIG-Bench-Hard/bbh/date_understanding.json", "examples"),)

    def _generate(self, rng: random.Random, knobs: DateKnobs) -> Item:
        reference, reference_text = _reference(rng, knobs)
        links = rng.randint(knobs.min_links, knobs.max_links)
        story, today = _story(rng, reference, reference_text, links, knobs.max_days)
        kind, amount, answers = _question(rng, today)
        answer = answers[0]
        options = _options(rng, today, answer, kind, knobs.options)
        correct = options.index(fmt(answer))
        return Item(
            task=self.name,
            id="",
            question=question_for(story, question_phrase(kind, amount), options),
            answer=letter(correct),
            meta={"options": options, "correct": correct, "today": fmt(today)},
        )

    def check(self, answer: str, item: Item) -> Score:
        options = [str(option) for option in item.meta["options"]]
        index, why = parse_option(answer, options, date_key)
        if index is None:
            return Score(0.0, None, why)
        given = letter(index)
        if index == int(item.meta["correct"]):
            return Score(1.0, given, "correct")
        return Score(0.0, given, f"option {given} ({options[index]}) is not the asked date")

    def parse_original(self, raw: RawInstance) -> Item:
        text = str(raw.data["input"])
        head, _, options_text = text.partition("\nOptions:\n")
        scenario, _, asked = head.partition(" What is the date ")
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        named, days = SCENARIOS[scenario]
        today = dt.date.fromisoformat(named) + dt.timedelta(days=days)
        kind, amount = _BBH_QUESTIONS[asked.removesuffix(" in MM/DD/YYYY?")]
        wanted = [fmt(day) for day in apply_question(today, kind, amount)]
        options = [re.sub(r"^\([A-Z]\) ", "", line) for line in options_text.splitlines() if line]
        hits = [i for i, option in enumerate(options) if date_key(option) in wanted]
        if len(hits) > 1:
            raise ValueError(f"{len(hits)} options hold the date {wanted}")
        target = str(raw.data["target"]).strip()
        stored = ord(target.strip("()")[:1] or "?") - ord("A")
        defect = DEFECTS.get((scenario, asked)) or DEFECTS.get((scenario, None))
        if stored in hits:  # a defective scenario can still have a right target
            defect = None
        if not hits:
            if defect is None:
                raise ValueError(f"no option holds the date {wanted}")
            options.append(wanted[0])  # the right date becomes an extra option
            hits = [len(options) - 1]
        item = Item(
            task=self.name,
            id="",
            question=question_for(scenario, question_phrase(kind, amount), options),
            answer=letter(hits[0]),
            meta={"options": options, "correct": hits[0], "today": fmt(today)},
        )
        return self.as_original(
            raw, item, original_answer=target, known_defect=defect, original_question=text
        )


# -- generation ---------------------------------------------------------------------------------


def _reference(rng: random.Random, knobs: DateKnobs) -> tuple[dt.date, str]:
    """A reference date and how the story names it."""
    year = rng.randint(knobs.min_year, knobs.max_year)
    month = rng.randint(1, 12)
    style = rng.random()
    if knobs.calendar_phrases and style < 0.25:
        weekday, nth = rng.randrange(7), rng.choice((0, 1, 2, 3, -1))
        day = nth_weekday(year, month, weekday, nth)
        which = "last" if nth < 0 else NTH[nth]
        return day, f"the {which} {WEEKDAYS[weekday]} of {MONTHS[month - 1]} {year}"
    if knobs.calendar_phrases and style < 0.4:
        month = 2 if rng.random() < 0.5 else month  # February is where leap years bite
        return _last_day(year, month), f"the last day of {MONTHS[month - 1]} {year}"
    day = dt.date(year, month, rng.randint(1, _last_day(year, month).day))
    if style < 0.7:
        return day, f"{MONTHS[month - 1]} {day.day}, {year}"
    return day, f"{day.month}/{day.day}/{year}"


def _story(
    rng: random.Random, reference: dt.date, reference_text: str, links: int, max_days: int
) -> tuple[str, dt.date]:
    if links == 0:
        return f"Today is {reference_text}.", reference
    events = rng.sample(EVENTS, links)
    sentences = [f"{_capital(events[0])} took place on {reference_text}."]
    current = reference
    for index in range(1, links + 1):
        days, phrase = _offset(rng, max_days)
        current += dt.timedelta(days=days)
        subject = "today" if index == links else events[index]
        verb = "is" if index == links else "took place"
        sentences.append(f"{_capital(subject)} {verb} {phrase} {events[index - 1]}.")
    return " ".join(sentences), current


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _offset(rng: random.Random, max_days: int) -> tuple[int, str]:
    """A signed number of days and its wording ("3 weeks after", "the day before")."""
    sign = rng.choice((-1, 1))
    relation = "after" if sign > 0 else "before"
    if max_days >= 14 and rng.random() < 0.3:
        weeks = rng.randint(1, max_days // 7)
        return sign * 7 * weeks, f"{weeks} week{'s' if weeks > 1 else ''} {relation}"
    days = rng.randint(1, max_days)
    if days == 1:
        return sign, f"the day {relation}"
    return sign * days, f"{days} days {relation}"


def _question(rng: random.Random, today: dt.date) -> tuple[str, int, list[dt.date]]:
    """A question kind and amount whose answer is one unambiguous date."""
    for _ in range(100):
        kind = rng.choice(QUESTIONS)
        amount = rng.randint(2, 40) if "days" in kind else rng.choice((1, 1, 2, 3))
        answers = apply_question(today, kind, amount)
        if len(answers) == 1:
            return kind, amount, answers
    return "tomorrow", 1, apply_question(today, "tomorrow", 1)  # never ambiguous


def _options(
    rng: random.Random, today: dt.date, answer: dt.date, kind: str, count: int
) -> list[str]:
    """The answer and ``count - 1`` plausible wrong dates, shuffled."""
    near: list[dt.date] = [today]
    for days in (1, -1, 2, -2, 7, -7, 10, -10, 30, -30, 365, -365):
        near.append(answer + dt.timedelta(days=days))
    for months in (1, -1, 12, -12, 120, -120):
        near.extend(shift_months(answer, months)[:1])
    mirrored = 2 * today.toordinal() - answer.toordinal()  # the offset applied the wrong way
    if mirrored >= 1:
        near.append(dt.date.fromordinal(mirrored))
    if answer.day <= 12 and answer.day != answer.month:
        near.append(dt.date(answer.year, answer.day, answer.month))  # day and month swapped
    wrong = sorted({fmt(d) for d in near} - {fmt(answer)})
    chosen = [*rng.sample(wrong, count - 1), fmt(answer)]
    rng.shuffle(chosen)
    return chosen


# -- the BBH scenarios --------------------------------------------------------------------------

#: scenario sentence -> (the date it names, days from that date to today), read by hand
SCENARIOS: dict[str, tuple[str, int]] = {
    "Today is Christmas Eve of 1937.": ("1937-12-24", 0),
    "In the UK, people usually put the day before the month when formatting the date. "
    "Therefore, today is 02/01/1987 to them.": ("1987-01-02", 0),
    "Jane and John married on Jan 2, 1958. It is their 5-year anniversary today.": (
        "1963-01-02",
        0,
    ),
    "Jane scheduled 3 apointments with 5 poeple for tomorrow (Tue, 7/9/1972).": ("1972-07-09", -1),
    "Today's meeting is rescheduled to 11 am tomorrow, 10/16/1924.": ("1924-10-16", -1),
    # visits on the 16th: Oct, Nov, Dec 2009, Jan, Feb 2010
    "Jane visits the bookstore on the 16th of each month starting from the October of 2009. "
    "It is her 5th visit to the bookstore today.": ("2010-02-16", 0),
    "On May 9th, 2017 Jane bought 40 eggs. She ate one per day. Today she ran out of eggs.": (
        "2017-05-09",
        40,
    ),
    "Tomorrow is 11/12/2019.": ("2019-11-12", -1),
    "Jane thinks today is 6/18/2019, but John thinks today is 6/19/2019. Jane is correct.": (
        "2019-06-18",
        0,
    ),
    "Jane thinks today is 6/18/2019, but John thinks today is 6/19/2019. John is correct.": (
        "2019-06-19",
        0,
    ),
    # 01/01/2019 is a Tuesday, so the first Monday is six days later
    "The first day of 2019 is a Tuesday, and today is the first Monday of 2019.": (
        "2019-01-01",
        6,
    ),
    "Yesterday was 12/31/1929. Today could not be 12/32/1929 because December has only 31 days.": (
        "1929-12-31",
        1,
    ),
    "Today is Apr 10, 1985. Jane's appointment will be 3 days later.": ("1985-04-10", 0),
    "Jane quited her job on Mar 20, 2020. 176 days have passed since then.": ("2020-03-20", 176),
    # 02022020 reads the same backwards
    "Today is the palindrome day of 2020, because the MMDDYYYY format of the date is the same "
    "backwards as forwards.": ("2020-02-02", 0),
    "May 6, 1992 is like yesterday to Jane, but that is actually ten years ago.": (
        "2002-05-06",
        0,
    ),
    "Today is Sep 9, 1909.": ("1909-09-09", 0),
    "The current local time is 3:02 pm of 5/4/2004.": ("2004-05-04", 0),
    "Yesterday, Jan 21, 2011, Jane ate 2 pizzas and 5 wings.": ("2011-01-21", 1),
    "Jane is celebrating the last day of Jan 2012.": ("2012-01-31", 0),
    # 36 hours before midnight of 01/01/2015 is noon on 12/30/2014
    "2015 is coming in 36 hours.": ("2014-12-30", 0),
    "Jane booked a flight for tomorrow, Jul 29, 2002.": ("2002-07-29", -1),
    "The deadline is Jun 1, 2021, which is 2 days away from now.": ("2021-06-01", -2),
    "Yesterday was April 30, 2021.": ("2021-04-30", 1),
    "Today is the second day of the third month of 1966.": ("1966-03-02", 0),
    "This is the last day of 1899.": ("1899-12-31", 0),
    "It is 4/19/1969 today.": ("1969-04-19", 0),
    "Jane was born on the last day of Feburary in 2001. Today is her 16-year-old birthday.": (
        "2017-02-28",
        0,
    ),
    # born on 02/29/2000; 2016 is a leap year
    "Jane was born on the last day of Feburary in 2000. Today is her 16-year-old birthday.": (
        "2016-02-29",
        0,
    ),
    "Today, 8/3/1997, is a day that we will never forget.": ("1997-08-03", 0),
    "The concert was scheduled to be on 06/01/1943, but was delayed by one day to today.": (
        "1943-06-01",
        1,
    ),
    "Jane and John married on Jan 2, 1958. Today is their golden wedding anniversary.": (
        "2008-01-02",
        0,
    ),
    "Today is 9/7. Jane is watching NFL 2003.": ("2003-09-07", 0),
    # Dec 2 was her second day, so she started on 12/01/2016
    "Jane got her job in 2016. Today is her 3-year work anniversary. She still remember that "
    "on Dec 2, her second day at work, she spilled coffee on her laptop.": ("2019-12-01", 0),
    "Jane thought today is 3/11/2002, but today is in fact Mar 12, which is 1 day later.": (
        "2002-03-11",
        1,
    ),
    "The day before yesterday was 11/23/1933.": ("1933-11-23", 2),
    "Today is 3/5, and it is Jane's second time in the year 1973 to see a meteor shower.": (
        "1973-03-05",
        0,
    ),
    "It was Sept. 1st, 2021 a week ago.": ("2021-09-01", 7),
    # 11/01/2001 is a Thursday; the fourth Thursday is three weeks later
    "In the US, Thanksgiving is on the fourth Thursday of November. Today is the US "
    "Thanksgiving of 2001.": ("2001-11-01", 21),
    "Today is the last day of the first quarter of 2008.": ("2008-03-31", 0),
    "Today is the first day of 2007.": ("2007-01-01", 0),
}

#: (scenario, question or None for all its questions) -> why the stored targets are wrong
DEFECTS: dict[tuple[str, str | None], str] = {
    (
        "Jane and John married on Jan 2, 1958. It is their 5-year anniversary today.",
        None,
    ): "the stored targets take today as 01/02/1961, but the fifth anniversary of a "
    "01/02/1958 wedding is 01/02/1963",
    ("2015 is coming in 36 hours.", None): "the stored targets take today as 12/29/2014, "
    "but 36 hours before 2015 begins is noon on 12/30/2014",
    (
        "In the US, Thanksgiving is on the fourth Thursday of November. Today is the US "
        "Thanksgiving of 2001.",
        None,
    ): "the stored targets take today as 11/22/2002, but Thanksgiving 2001 is 11/22/2001 "
    "(and 11/22/2002 is not a Thursday)",
    (
        "Jane is celebrating the last day of Jan 2012.",
        "one week from today in MM/DD/YYYY?",
    ): "the stored target is 02/06/2012, but one week after 01/31/2012 is 02/07/2012",
}

_BBH_QUESTIONS: dict[str, tuple[str, int]] = {
    "today": ("today", 0),
    "tomorrow": ("tomorrow", 1),
    "yesterday": ("yesterday", 1),
    "24 hours later": ("tomorrow", 1),
    "10 days ago": ("days_ago", 10),
    "one week ago from today": ("week_ago", 1),
    "one week from today": ("week_later", 1),
    "a month ago": ("month_ago", 1),
    "one year ago from today": ("year_ago", 1),
}


TASK = DateUnderstanding()
