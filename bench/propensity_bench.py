"""Propensity-to-pay benchmark: training and validation on a synthetic history, and scoring speed.

1. A throwaway SQLite database (migrated) gets ``--accounts`` accounts placed a year ago with a
   synthetic payment history in which the chance of a payment in each 30-day window depends on the
   product (utility and telecom pay more, medical less), the balance (smaller pays more), the age of
   the debt (past a year pays less) and whether a payment plan runs (it pays most months). Language,
   region and age are drawn independently of all of that, except that Spanish speakers hold more
   medical debt: a proxy the model never reads but the fairness report should show.
   ``propensity_model_train(as_of=...)`` runs on it, as ``solvent models train`` does.
2. The pure score (``domain.propensity.score``) of the trained model over 1,000,000 synthetic rows,
   timed, beside scikit-learn's ``predict_proba`` on the same numbers.

One JSON line: rows, training seconds, AUC, Brier and log loss beside the base-rate baseline,
calibration extremes, the top drivers, the fairness ratios, and the scoring rate.

    .venv/bin/python bench/propensity_bench.py --accounts 4000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.bench_keys import bench_keys_set  # noqa: E402

AS_OF = date(2026, 6, 1)
PLACED_ON = date(2025, 6, 1)
SCORED_ROWS = 1_000_000
PRODUCT_LIFT = {"utility": 1.0, "telecom": 0.6, "credit_card": 0.0, "medical": -0.6}
LANGUAGES = ("en", "es", "fr")
STATES = ("NY", "PA", "TX", "FL", "OH", "IL", "CA", "WA")


def _setup(var_dir: str) -> None:
    bench_keys_set()
    os.environ.pop("DATABASE_URL", None)
    os.environ["SOLVENT_VAR_DIR"] = var_dir
    os.environ.setdefault("SOLVENT_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solvent.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _world(accounts: int, seed: int) -> None:
    from solvent.arrangements.models import PaymentPlan
    from solvent.payments.models import Payment
    from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor

    rng = random.Random(seed)
    client = Client.objects.create(code="bench", name="Bench Co")
    people = []
    for _ in range(accounts):
        language = rng.choices(LANGUAGES, weights=(70, 22, 8))[0]
        born = date(rng.randrange(1945, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        people.append((language, born.isoformat() if rng.random() > 0.05 else ""))
    debtors = Debtor.objects.bulk_create(
        [
            Debtor(first_name="B", last_name=f"Bench{n}", language=language, date_of_birth=born)
            for n, (language, born) in enumerate(people)
        ]
    )
    Address.objects.bulk_create(
        [
            Address(
                debtor=debtor,
                line1="1 Main St",
                city="Town",
                region=rng.choice(STATES),
                postal_code="10001",
                country="US",
            )
            for debtor in debtors
        ]
    )
    rows = []
    for n, debtor in enumerate(debtors):
        medical_weight = 45 if debtor.language == "es" else 20
        product = rng.choices(list(PRODUCT_LIFT), weights=(25, 20, 35, medical_weight))[0]
        rows.append(
            Account(
                client=client,
                account_number=f"B-{n}",
                product=product,
                currency="USD",
                principal=Decimal(round(math.exp(rng.uniform(4.5, 9.0)), 2)),
                delinquency_date=PLACED_ON - timedelta(days=rng.randrange(30, 900)),
                placed_on=PLACED_ON,
            )
        )
    accounts_made = Account.objects.bulk_create(rows)
    AccountDebtor.objects.bulk_create(
        [
            AccountDebtor(account=account, debtor=debtor)
            for account, debtor in zip(accounts_made, debtors, strict=True)
        ]
    )
    plans, payments = [], []
    for account, debtor in zip(accounts_made, debtors, strict=True):
        plan_from = None
        if rng.random() < 0.12:
            plan_from = PLACED_ON + timedelta(days=rng.randrange(30, 300))
            started = datetime.combine(plan_from, datetime.min.time(), tzinfo=UTC)
            plans.append(
                PaymentPlan(
                    account=account,
                    debtor=debtor,
                    total=account.principal,
                    currency="USD",
                    frequency="monthly",
                    instalment_amount=Decimal(25),
                    affordable_amount=Decimal(30),
                    first_due_on=plan_from,
                    status=PaymentPlan.Status.ACTIVE,
                    created_at=started,
                    accepted_at=started,
                )
            )
        window = PLACED_ON
        while window < AS_OF:
            dpd = (window - account.delinquency_date).days
            logit = (
                -1.6
                + PRODUCT_LIFT[account.product]
                - 0.45 * (math.log(float(account.principal)) - 6.5)
                - 0.7 * (dpd > 365)
                + 2.2 * (plan_from is not None and window >= plan_from)
            )
            if rng.random() < 1 / (1 + math.exp(-logit)):
                payments.append(
                    Payment(
                        account=account,
                        client=client,
                        debtor=debtor,
                        amount=Decimal("5.00"),
                        currency="USD",
                        method=Payment.Method.CARD,
                        paid_on=window + timedelta(days=rng.randrange(30)),
                        source=Payment.Source.API,
                        posted_at=datetime.combine(window, datetime.min.time(), tzinfo=UTC),
                    )
                )
            window += timedelta(days=30)
    PaymentPlan.objects.bulk_create(plans)
    Payment.objects.bulk_create([p for p in payments if p.paid_on < AS_OF], batch_size=5000)


def _scoring(parameters: Any, seed: int) -> dict[str, float]:
    import numpy as np
    import polars as pl

    from solvent.analytics.domain.propensity import INPUT_SCHEMA, design_matrix, score

    rng = np.random.default_rng(seed)
    n = SCORED_ROWS
    products = np.array(list(PRODUCT_LIFT))
    frame = pl.DataFrame(
        {
            "balance_minor": rng.integers(1_000, 1_000_000, n),
            "days_past_due": rng.integers(0, 1200, n),
            "stage": np.array(["91-120", "180+"])[rng.integers(0, 2, n)],
            "product": products[rng.integers(0, len(products), n)],
            "days_since_placement": rng.integers(0, 400, n),
            "days_since_rpc": rng.integers(0, 90, n),
            "attempts_7d": rng.integers(0, 5, n),
            "attempts_since_rpc": rng.integers(0, 10, n),
            "broken_promises": rng.integers(0, 2, n),
            "active_promise": rng.random(n) < 0.1,
            "active_plan": rng.random(n) < 0.1,
            "payments_before": rng.integers(0, 6, n),
            "days_since_payment": rng.integers(0, 400, n),
        },
        schema=INPUT_SCHEMA,
    )
    started = time.perf_counter()
    probabilities = score(frame, parameters)
    seconds = time.perf_counter() - started
    # scikit-learn on the same numbers, as a check of the arithmetic.
    from sklearn.linear_model import LogisticRegression

    matrix = (design_matrix(frame, parameters.levels) - np.asarray(parameters.means)) / np.asarray(
        parameters.scales
    )
    model = LogisticRegression()
    model.classes_ = np.array([0, 1])
    model.coef_ = np.asarray([parameters.coefficients])
    model.intercept_ = np.asarray([parameters.intercept])
    difference = float(np.max(np.abs(model.predict_proba(matrix)[:, 1] - probabilities)))
    return {
        "scored_rows": n,
        "score_seconds": round(seconds, 3),
        "rows_per_second": round(n / seconds),
        "max_abs_difference_to_sklearn": difference,
    }


FULL_ACCOUNTS = 4000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="a fraction of the full size (4,000 accounts)"
    )
    parser.add_argument("--accounts", type=int, default=None, help="overrides --scale")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    # At least 1,000 accounts: fewer leave too few payers to train on (the service refuses).
    args.accounts = args.accounts or max(1000, round(FULL_ACCOUNTS * args.scale))
    with tempfile.TemporaryDirectory(prefix="propensity-bench-") as var_dir:
        _setup(var_dir)
        started = time.perf_counter()
        _world(args.accounts, args.seed)
        built = time.perf_counter() - started
        from solvent.analytics.propensity import propensity_model_train, propensity_parameters

        started = time.perf_counter()
        run = propensity_model_train(as_of=AS_OF)
        trained = time.perf_counter() - started
        figures = run.validation
        fairness = {
            f"{row['dimension']}:{row['group']}": {
                "accounts": row["accounts"],
                "mean_score": round(row["mean_score"], 3),
                "observed": round(row["observed_rate"], 3),
                "top_decile_share": round(row["top_decile_share"], 3),
                "ratio": None
                if row["ratio_to_highest"] is None
                else round(row["ratio_to_highest"], 2),
            }
            for row in figures["fairness"]
            if row["dimension"] in ("language", "age_band")
        }
        result = {
            "bench": "propensity",
            "seed": args.seed,
            "accounts": args.accounts,
            "world_seconds": round(built, 1),
            "rows_train": run.rows_train,
            "rows_test": run.rows_test,
            "train_seconds": round(trained, 2),
            "auc": round(figures["auc"], 4),
            "brier": round(figures["brier"], 4),
            "baseline_brier": round(figures["baseline_brier"], 4),
            "log_loss": round(figures["log_loss"], 4),
            "baseline_log_loss": round(figures["baseline_log_loss"], 4),
            "base_rate": round(figures["base_rate"], 4),
            "mean_predicted": round(figures["mean_predicted"], 4),
            "calibration": [
                (round(row["mean_predicted"], 3), round(row["observed_rate"], 3))
                for row in figures["calibration"]
            ],
            "drivers": [
                (row["feature"], round(row["weight"], 3)) for row in figures["drivers"][:6]
            ],
            "fairness": fairness,
            **_scoring(propensity_parameters(run), args.seed),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
