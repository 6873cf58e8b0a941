"""The pipeline's arithmetic: rates, the weighted forecast, medians from a histogram, the schedule light."""

import datetime as dt
from decimal import Decimal

from django.test import SimpleTestCase

from ..analytics import (
    cumulative,
    histogram_mean,
    histogram_median,
    months_elapsed,
    rate,
    reached,
    schedule_light,
    weighted_forecast,
)

D = Decimal


class RateTests(SimpleTestCase):
    def test_rate_is_part_over_whole(self):
        self.assertEqual(rate(1, 2), D("0.5"))
        self.assertEqual(rate(D("7500"), D("30000")), D("0.25"))

    def test_a_zero_or_missing_denominator_has_no_rate(self):
        self.assertIsNone(rate(0, 0))
        self.assertIsNone(rate(3, 0))
        self.assertIsNone(rate(3, None))
        self.assertIsNone(rate(None, 4))

    def test_nothing_out_of_something_is_zero_not_missing(self):
        self.assertEqual(rate(0, 5), D(0))


class ForecastTests(SimpleTestCase):
    def test_signed_plus_amounts_weighted_by_stage_probability(self):
        pipeline = [(D("20000"), D("0.10")), (D("50000"), D("0.30"))]
        self.assertEqual(weighted_forecast(D("15000"), pipeline), D("32000"))

    def test_amounts_without_a_figure_count_nothing(self):
        self.assertEqual(weighted_forecast(None, [(None, D("0.3")), (D(100), D("0.5"))]), D(50))
        self.assertEqual(weighted_forecast(D(0), []), D(0))


class FunnelTests(SimpleTestCase):
    def test_reached_counts_every_project_in_the_stage_or_beyond(self):
        # 线索 3, 在谈 0, 签约 2, 开工 1 now → 6 reached 线索, 3 reached 在谈 and 签约, 1 开工
        self.assertEqual(reached([3, 0, 2, 1]), [6, 3, 3, 1])
        self.assertEqual(reached([]), [])
        self.assertEqual(reached([0, 0]), [0, 0])


class MedianTests(SimpleTestCase):
    def test_odd_count_takes_the_middle_value(self):
        # 2, 5, 5, 9, 40
        self.assertEqual(histogram_median({5: 2, 2: 1, 40: 1, 9: 1}), D(5))

    def test_even_count_takes_the_mean_of_the_two_middle_values(self):
        # 1, 4, 10, 30
        self.assertEqual(histogram_median({30: 1, 1: 1, 10: 1, 4: 1}), D(7))
        # 3, 3, 8, 8: the middle two straddle a boundary between values
        self.assertEqual(histogram_median({3: 2, 8: 2}), D("5.5"))

    def test_a_single_value_and_no_values(self):
        self.assertEqual(histogram_median({12: 1}), D(12))
        self.assertIsNone(histogram_median({}))
        self.assertIsNone(histogram_median({4: 0}))

    def test_mean_weights_each_value_by_its_count(self):
        self.assertEqual(histogram_mean({10: 3, 30: 1}), D(15))
        self.assertIsNone(histogram_mean({}))


class ScheduleTests(SimpleTestCase):
    def test_months_elapsed(self):
        today = dt.date(2026, 5, 20)
        self.assertEqual(months_elapsed(2025, today), 12)
        self.assertEqual(months_elapsed(2026, today), 5)
        self.assertEqual(months_elapsed(2027, today), 0)

    def test_cumulative_adds_up_and_stops_after_the_last_figure(self):
        self.assertEqual(cumulative([D(1), None, D(2), None, None]), [D(1), D(1), D(3), None, None])
        self.assertEqual(cumulative([None, None]), [None, None])

    def light(self, project="green", **kw):
        args = {
            "late_milestones": 0,
            "overdue_problems": 0,
            "open_problems": 0,
            "planned_to_date": D(100),
            "actual_to_date": D(100),
        }
        args.update(kw)
        return schedule_light(project, **args)

    def test_red_for_the_project_a_late_milestone_or_an_overdue_problem(self):
        self.assertEqual(self.light("red"), "red")
        self.assertEqual(self.light(late_milestones=1), "red")
        self.assertEqual(self.light(overdue_problems=1, open_problems=1), "red")

    def test_amber_for_open_problems_or_investment_behind_plan(self):
        self.assertEqual(self.light("amber"), "amber")
        self.assertEqual(self.light(open_problems=2), "amber")
        self.assertEqual(self.light(actual_to_date=D("79.99")), "amber")
        self.assertEqual(self.light(actual_to_date=None), "amber")  # planned, nothing invested

    def test_green_on_plan_or_without_a_plan(self):
        self.assertEqual(self.light(actual_to_date=D(80)), "green")
        self.assertEqual(self.light(planned_to_date=None, actual_to_date=None), "green")
        self.assertEqual(self.light(planned_to_date=D(0), actual_to_date=None), "green")
