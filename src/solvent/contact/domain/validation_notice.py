"""The validation notice's words, laid out after the CFPB's Model Form B-1 (12 CFR 1006 appendix B).

Pure: the facts come in as a ``NoticeFacts`` value and the result is the notice's sections, in
English or Spanish, for the PDF renderer to draw. The order and the wording follow the model form
(1006.34(c)): who we are and the mini-Miranda, "Our information shows" with the itemization, how to
dispute, what else the consumer can do, and the tear-off response form with the dispute prompts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# The model form prints a minus sign before payments and credits.
MINUS = "\u2013 "


@dataclass(frozen=True)
class NoticeFacts:
    collector_name: str
    collector_address: tuple[str, ...]
    collector_phone: str
    collector_hours: str
    consumer_name: str
    consumer_address: tuple[str, ...]
    reference: str
    creditor_on_itemization_date: str
    current_creditor: str
    account_number_masked: str
    itemization_date: date
    amount_on_itemization_date: Decimal
    interest_since: Decimal
    fees_since: Decimal
    payments_since: Decimal
    validation_end: date
    notice_date: date
    currency_symbol: str = "$"

    @property
    def current_amount(self) -> Decimal:
        return (
            self.amount_on_itemization_date
            + self.interest_since
            + self.fees_since
            - self.payments_since
        )


@dataclass(frozen=True)
class NoticeSection:
    heading: str
    paragraphs: tuple[str, ...] = ()
    # (label, amount) rows of the itemization table
    rows: tuple[tuple[str, str], ...] = ()
    # check-box prompts of the response form
    prompts: tuple[str, ...] = ()


_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}


def format_date(day: date, language: str) -> str:
    month = _MONTHS.get(language, _MONTHS["en"])[day.month - 1]
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{month} {day.day}, {day.year}"


def format_money(amount: Decimal, symbol: str = "$") -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def validation_notice_sections(
    facts: NoticeFacts, language: str = "en"
) -> tuple[NoticeSection, ...]:
    """The notice, section by section, in the order of Model Form B-1."""
    spanish = language == "es"
    end = format_date(facts.validation_end, language)
    itemized = format_date(facts.itemization_date, language)

    def money(amount: Decimal) -> str:
        return format_money(amount, facts.currency_symbol)

    if spanish:
        return (
            NoticeSection(
                heading=f"{facts.collector_name} es un cobrador de deudas.",
                paragraphs=(
                    f"Estamos tratando de cobrar una deuda que usted le debe a {facts.current_creditor}. "
                    "Usaremos cualquier información que usted nos dé para ayudar a cobrar la deuda.",
                ),
            ),
            NoticeSection(
                heading="Nuestra información indica:",
                paragraphs=(
                    f"Usted tenía una cuenta de {facts.creditor_on_itemization_date} con el número de "
                    f"cuenta {facts.account_number_masked}.",
                ),
                rows=(
                    (f"Al {itemized}, usted debía:", money(facts.amount_on_itemization_date)),
                    (f"Entre el {itemized} y hoy:", ""),
                    ("Se le cobró esta cantidad en intereses:", "+ " + money(facts.interest_since)),
                    ("Se le cobró esta cantidad en cargos:", "+ " + money(facts.fees_since)),
                    (
                        "Pagó o se le acreditó esta cantidad a la deuda:",
                        MINUS + money(facts.payments_since),
                    ),
                    ("Cantidad total de la deuda ahora:", money(facts.current_amount)),
                ),
            ),
            NoticeSection(
                heading="¿Cómo puede disputar la deuda?",
                paragraphs=(
                    f"Llámenos o escríbanos a más tardar el {end} para disputar toda la deuda o parte "
                    "de ella. Si no lo hace, asumiremos que nuestra información es correcta.",
                    f"Si nos escribe a más tardar el {end}, debemos dejar de cobrar cualquier cantidad "
                    "que usted dispute hasta que le enviemos información que demuestre que usted debe "
                    "la deuda. Puede usar el formulario a continuación o escribirnos sin el formulario. "
                    "También puede incluir documentos de respaldo.",
                ),
            ),
            NoticeSection(
                heading="¿Qué más puede hacer?",
                paragraphs=(
                    "Escríbanos para pedir el nombre y la dirección del acreedor original, si es "
                    f"diferente del acreedor actual. Si nos escribe a más tardar el {end}, debemos "
                    "dejar de cobrar hasta que le enviemos esa información.",
                    "Visite www.cfpb.gov/debt-collection para obtener más información sobre sus "
                    "derechos según la ley federal.",
                    f"Comuníquese con nosotros sobre sus opciones de pago: {facts.collector_phone}, "
                    f"{facts.collector_hours}.",
                ),
            ),
            NoticeSection(
                heading="¿Cómo desea responder?",
                paragraphs=("Marque todo lo que corresponda:",),
                prompts=(
                    "Quiero disputar la deuda porque creo que: Esta no es mi deuda.",
                    "Quiero disputar la deuda porque creo que: La cantidad es incorrecta.",
                    "Quiero disputar la deuda porque creo que: Otro (describa al reverso o adjunte "
                    "información adicional).",
                    "Quiero que me envíen el nombre y la dirección del acreedor original.",
                    "Adjunto esta cantidad: $________",
                ),
            ),
        )
    return (
        NoticeSection(
            heading=f"{facts.collector_name} is a debt collector.",
            paragraphs=(
                f"We are trying to collect a debt that you owe to {facts.current_creditor}. We will "
                "use any information you give us to help collect the debt.",
            ),
        ),
        NoticeSection(
            heading="Our information shows:",
            paragraphs=(
                f"You had an account from {facts.creditor_on_itemization_date} with account number "
                f"{facts.account_number_masked}.",
            ),
            rows=(
                (f"As of {itemized}, you owed:", money(facts.amount_on_itemization_date)),
                (f"Between {itemized} and today:", ""),
                ("You were charged this amount in interest:", "+ " + money(facts.interest_since)),
                ("You were charged this amount in fees:", "+ " + money(facts.fees_since)),
                (
                    "You paid or were credited this amount toward the debt:",
                    MINUS + money(facts.payments_since),
                ),
                ("Total amount of the debt now:", money(facts.current_amount)),
            ),
        ),
        NoticeSection(
            heading="How can you dispute the debt?",
            paragraphs=(
                f"Call or write to us by {end}, to dispute all or part of the debt. If you do not, "
                "we will assume that our information is correct.",
                f"If you write to us by {end}, we must stop collection on any amount you dispute "
                "until we send you information that shows you owe the debt. You may use the form "
                "below or write to us without the form. You may also include supporting documents.",
            ),
        ),
        NoticeSection(
            heading="What else can you do?",
            paragraphs=(
                "Write to ask for the name and address of the original creditor, if different from "
                f"the current creditor. If you write by {end}, we must stop collection until we send "
                "you that information. You may use the form below or write to us without the form.",
                "Go to www.cfpb.gov/debt-collection to learn more about your rights under federal law.",
                f"Contact us about your payment options: {facts.collector_phone}, {facts.collector_hours}.",
                "Póngase en contacto con nosotros para solicitar una copia de este formulario en español.",
            ),
        ),
        NoticeSection(
            heading="How do you want to respond?",
            paragraphs=("Check all that apply:",),
            prompts=(
                "I want to dispute the debt because I think: This is not my debt.",
                "I want to dispute the debt because I think: The amount is wrong.",
                "I want to dispute the debt because I think: Other (please describe on reverse or "
                "attach additional information).",
                "I want you to send me the name and address of the original creditor.",
                "I enclosed this amount: $________",
            ),
        ),
    )
