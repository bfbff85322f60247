"""Every word the debtor's page shows, in English and Spanish.

A dictionary per language with the same keys (a test proves they match); ``texts(language)`` gives
the page's words, English for a language we do not have. Placeholders are ``{name}``, filled by
``say``. The law's words (the Reg F disclosure, the validation notice's rights) follow the wording
the rest of Solvent sends, so the page and the letters say the same thing.
"""

from __future__ import annotations

from decimal import Decimal

LANGUAGES = ("en", "es")

EN: dict[str, str] = {
    "lang_name": "English",
    "switch_to": "Español",
    "skip": "Skip to the main content",
    "title": "Your account",
    "debt_collector": "This communication is from a debt collector.",
    "mini_miranda": (
        "We are a debt collector. We are trying to collect a debt, and any information we obtain "
        "will be used for that purpose."
    ),
    "who_we_are": "Who we are",
    "call_us": "Call us on {phone} ({hours}).",
    "end_session": "Sign out",
    "what_you_owe": "What you owe",
    "account": "Account",
    "creditor": "Creditor",
    "original_creditor": "Original creditor",
    "balance": "Balance",
    "itemization": "How the balance is made up",
    "validation": "Your rights about this debt",
    "validation_end": (
        "If you write to us by {date} to say the debt is not yours or is wrong, or to ask for the "
        "name and address of the original creditor, we must stop collecting until we send you the "
        "information."
    ),
    "validation_none": (
        "You may dispute all or part of this debt, and ask for the name and address of the "
        "original creditor. Use “Dispute this debt” below or call us."
    ),
    "rights_more": (
        "You can learn more about your rights under federal law at the Consumer Financial "
        "Protection Bureau: www.cfpb.gov/debt-collection."
    ),
    "whats_agreed": "What is agreed",
    "promise_open": "You promised to pay {amount} by {date}.",
    "plan_active": "Your payment plan: {count} payments of {amount}, {frequency}, from {date}.",
    "plan_proposed": "A plan waiting for your answer: {count} payments of {amount}, {frequency}.",
    "settlement_offer": (
        "We can accept {amount} in full payment of this debt if it is paid by {date} "
        "(the offer ends {expires})."
    ),
    "settlement_accepted": "You accepted to settle this debt for {amount}, to pay by {date}.",
    "accept_and_pay": "Accept and pay {amount}",
    "nothing_agreed": "Nothing agreed yet.",
    "disputed_note": "You disputed this debt: we stopped collecting it until we send you an answer.",
    "ceased_note": "You asked us to stop contacting you: we will not, except as the law allows.",
    "what_you_can_do": "What you can do",
    "act_pay": "Pay in full or pay part",
    "act_promise": "Promise to pay on a date",
    "act_plan": "Set up a payment plan you can afford",
    "act_dispute": "Dispute this debt",
    "act_stop": "Ask us to stop contacting you",
    "act_preferences": "Choose how and when we contact you",
    "advice": "Free, independent debt advice",
    "advice_intro": (
        "If you are struggling, free and confidential help is available. You do not need to tell "
        "us before you contact them."
    ),
    "advice_none": "Ask us and we will tell you where free debt advice is available near you.",
    "chat": "Chat with us",
    "back": "Back to your account",
    "send": "Send",
    "amount": "Amount",
    "amount_hint": "In {currency}, for example 50.00. At most {balance}.",
    "method": "How you will pay",
    "method_card": "Debit or credit card",
    "method_bank": "Bank account (ACH)",
    "pay_full": "Pay the full balance ({amount})",
    "pay_go": "Continue to secure payment",
    "pay_note": (
        "You will pay on our payment provider's secure page. We never see or keep your card or "
        "bank details."
    ),
    "pay_unavailable": "Online payment is not available right now. Please call us on {phone}.",
    "pay_cancelled": "The payment was cancelled. Nothing was taken.",
    "thanks_paid": "Thank you. Your payment is on its way to us; it shows here once it clears.",
    "promise_date": "Date you will pay",
    "promise_date_hint": "Today or a later date.",
    "promise_go": "Make the promise",
    "promise_made": "Thank you. We have noted your promise to pay {amount} by {date}.",
    "plan_intro": (
        "Tell us about your monthly money. We use it only to work out payments you can afford "
        "(after the UK Standard Financial Statement). Leave a line empty if it does not apply."
    ),
    "income": "Money coming in (each month)",
    "spending": "Money going out (each month)",
    "frequency": "How often you would pay",
    "freq_weekly": "every week",
    "freq_fortnightly": "every two weeks",
    "freq_monthly": "every month",
    "first_date": "Date of the first payment",
    "plan_go": "Work out my plan",
    "plan_offer": (
        "You could pay {count} payments of {amount}, {frequency}, from {date}. That is within "
        "the {affordable} a period your figures leave."
    ),
    "plan_accept": "Accept this plan",
    "plan_accepted": "Thank you. Your payment plan is set up.",
    "plan_none": (
        "Your figures leave no money for a plan. Please talk to a free debt adviser, or call us: "
        "we can pause collection while you get advice."
    ),
    "dispute_reason": "Why do you dispute this debt?",
    "reason_not_mine": "This is not my debt",
    "reason_amount_wrong": "The amount is wrong",
    "reason_paid": "I already paid it",
    "reason_identity_theft": "I am a victim of identity theft",
    "reason_original_creditor": "I want the name and address of the original creditor",
    "reason_other": "Something else",
    "dispute_details": "Tell us more (optional)",
    "dispute_file": "Attach a document (optional)",
    "dispute_file_hint": "A PDF, JPEG or PNG file, 5 MB at most.",
    "dispute_go": "Send my dispute",
    "dispute_sent": (
        "We have your dispute. We have stopped collecting this debt until we send you the "
        "information that answers it."
    ),
    "stop_intro": (
        "You can ask us to stop contacting you about your debts. We will stop, except to tell "
        "you that we are stopping or about a specific action we or the creditor may take. The debt "
        "is not cancelled by this."
    ),
    "stop_confirm": "I want you to stop contacting me",
    "stop_go": "Stop contacting me",
    "stop_done": "We have stopped contacting you. You can still use this page or call us.",
    "prefs_intro": "Choose the one way you want us to use, and when.",
    "prefs_channel": "Contact me only by",
    "channel_sms": "Text message",
    "channel_email": "E-mail",
    "channel_call": "Phone call",
    "channel_letter": "Letter",
    "prefs_from": "Not before",
    "prefs_until": "Not after",
    "prefs_time_hint": "Your local time. Leave empty for any lawful time.",
    "prefs_go": "Save my choice",
    "prefs_done": "Saved. We will contact you only by {channel}.",
    "check_title": "Check it is you",
    "check_intro": (
        "To keep your information private, enter your date of birth or the last four digits of "
        "your Social Security number."
    ),
    "dob": "Date of birth",
    "dob_hint": "For example 1980-04-02.",
    "or": "or",
    "last4": "Last four digits of your Social Security number",
    "check_go": "Continue",
    "check_wrong": "That does not match our records. You have {left} more tries.",
    "check_empty": "Enter your date of birth or the last four digits.",
    "refused_unknown_title": "This link does not work",
    "refused_unknown": (
        "We cannot find this link. Check you copied it whole from our message, or call us on "
        "{phone} ({hours})."
    ),
    "refused_expired_title": "This link has expired",
    "refused_expired": "For your security our links last a few days.",
    "refused_used_title": "This link has already been used",
    "refused_used": (
        "For your security each link opens your account once. We can send you a new link to the "
        "place this one was sent."
    ),
    "refused_locked_title": "Too many tries",
    "refused_locked": (
        "This link is locked for 15 minutes after too many wrong answers. Try again later, or call "
        "us on {phone} ({hours})."
    ),
    "refused_address": (
        "Too many wrong answers came from your connection. Please try again in an hour, or call "
        "us on {phone} ({hours})."
    ),
    "new_link_go": "Send me a new link",
    "new_link_sent": "We are sending a new link. It will arrive in a few minutes.",
    "new_link_refused": "We cannot send a new link now. Please call us on {phone} ({hours}).",
    "new_link_recent": "We sent a new link a few minutes ago. Please check your messages.",
    "no_session_title": "Open your account from our message",
    "no_session": (
        "Your session has ended or was never started. Open the link in our latest message, or call "
        "us on {phone} ({hours})."
    ),
    "signed_out": "You have signed out.",
    "error_summary": "Please correct the following:",
    "err_amount": "Enter an amount above zero, to the cent.",
    "err_amount_over": "That is more than you owe ({balance}).",
    "err_date": "Enter a date.",
    "err_date_past": "Choose today or a later date.",
    "err_choice": "Choose one.",
    "err_time": "Enter a time such as 18:00.",
    "err_time_order": "“Not before” must be earlier than “Not after”.",
    "err_confirm": "Tick the box to confirm.",
    "err_file_type": "The file must be a PDF, JPEG or PNG.",
    "err_file_size": "The file is larger than 5 MB.",
    "err_figure": "Enter an amount of zero or more.",
    "err_double": "This form was already sent. Nothing was done twice.",
    "err_stale": "This form has expired. Please fill it in again.",
    "err_refused": "We could not do that: {reason}",
    "freq_every": "{frequency}",
}

ES: dict[str, str] = {
    "lang_name": "Español",
    "switch_to": "English",
    "skip": "Ir al contenido principal",
    "title": "Su cuenta",
    "debt_collector": "Esta comunicación proviene de un cobrador de deudas.",
    "mini_miranda": (
        "Somos un cobrador de deudas. Intentamos cobrar una deuda y cualquier información que "
        "obtengamos se usará con ese fin."
    ),
    "who_we_are": "Quiénes somos",
    "call_us": "Llámenos al {phone} ({hours}).",
    "end_session": "Cerrar sesión",
    "what_you_owe": "Lo que usted debe",
    "account": "Cuenta",
    "creditor": "Acreedor",
    "original_creditor": "Acreedor original",
    "balance": "Saldo",
    "itemization": "Cómo se compone el saldo",
    "validation": "Sus derechos sobre esta deuda",
    "validation_end": (
        "Si nos escribe antes del {date} para decir que la deuda no es suya o que es incorrecta, o "
        "para pedir el nombre y la dirección del acreedor original, debemos dejar de cobrar hasta "
        "enviarle la información."
    ),
    "validation_none": (
        "Puede disputar toda o parte de esta deuda y pedir el nombre y la dirección del acreedor "
        "original. Use «Disputar esta deuda» abajo o llámenos."
    ),
    "rights_more": (
        "Puede obtener más información sobre sus derechos según la ley federal en la Oficina para "
        "la Protección Financiera del Consumidor: www.cfpb.gov/debt-collection."
    ),
    "whats_agreed": "Lo acordado",
    "promise_open": "Usted prometió pagar {amount} a más tardar el {date}.",
    "plan_active": "Su plan de pagos: {count} pagos de {amount}, {frequency}, desde el {date}.",
    "plan_proposed": "Un plan espera su respuesta: {count} pagos de {amount}, {frequency}.",
    "settlement_offer": (
        "Podemos aceptar {amount} como pago total de esta deuda si lo paga a más tardar el {date} "
        "(la oferta termina el {expires})."
    ),
    "settlement_accepted": "Usted aceptó liquidar esta deuda por {amount}, a pagar antes del {date}.",
    "accept_and_pay": "Aceptar y pagar {amount}",
    "nothing_agreed": "Aún no hay nada acordado.",
    "disputed_note": "Usted disputó esta deuda: dejamos de cobrarla hasta enviarle una respuesta.",
    "ceased_note": "Nos pidió que dejemos de contactarle: no lo haremos, salvo lo que la ley permite.",
    "what_you_can_do": "Lo que puede hacer",
    "act_pay": "Pagar el total o una parte",
    "act_promise": "Prometer un pago en una fecha",
    "act_plan": "Acordar un plan de pagos que pueda asumir",
    "act_dispute": "Disputar esta deuda",
    "act_stop": "Pedirnos que dejemos de contactarle",
    "act_preferences": "Elegir cómo y cuándo le contactamos",
    "advice": "Asesoría de deudas gratuita e independiente",
    "advice_intro": (
        "Si tiene dificultades, hay ayuda gratuita y confidencial. No necesita avisarnos antes de "
        "contactarlos."
    ),
    "advice_none": "Pregúntenos y le diremos dónde hay asesoría de deudas gratuita cerca de usted.",
    "chat": "Chatee con nosotros",
    "back": "Volver a su cuenta",
    "send": "Enviar",
    "amount": "Cantidad",
    "amount_hint": "En {currency}, por ejemplo 50.00. Como máximo {balance}.",
    "method": "Cómo pagará",
    "method_card": "Tarjeta de débito o crédito",
    "method_bank": "Cuenta bancaria (ACH)",
    "pay_full": "Pagar el saldo total ({amount})",
    "pay_go": "Continuar al pago seguro",
    "pay_note": (
        "Pagará en la página segura de nuestro proveedor de pagos. Nunca vemos ni guardamos los "
        "datos de su tarjeta o cuenta bancaria."
    ),
    "pay_unavailable": "El pago en línea no está disponible ahora. Llámenos al {phone}.",
    "pay_cancelled": "El pago se canceló. No se cobró nada.",
    "thanks_paid": "Gracias. Su pago está en camino; aparecerá aquí cuando se acredite.",
    "promise_date": "Fecha en que pagará",
    "promise_date_hint": "Hoy o una fecha posterior.",
    "promise_go": "Hacer la promesa",
    "promise_made": "Gracias. Anotamos su promesa de pagar {amount} a más tardar el {date}.",
    "plan_intro": (
        "Cuéntenos sobre su dinero mensual. Solo lo usamos para calcular pagos que pueda asumir "
        "(según el Standard Financial Statement del Reino Unido). Deje vacía una línea que no "
        "corresponda."
    ),
    "income": "Dinero que entra (cada mes)",
    "spending": "Dinero que sale (cada mes)",
    "frequency": "Con qué frecuencia pagaría",
    "freq_weekly": "cada semana",
    "freq_fortnightly": "cada dos semanas",
    "freq_monthly": "cada mes",
    "first_date": "Fecha del primer pago",
    "plan_go": "Calcular mi plan",
    "plan_offer": (
        "Podría hacer {count} pagos de {amount}, {frequency}, desde el {date}. Está dentro de los "
        "{affordable} por período que dejan sus cifras."
    ),
    "plan_accept": "Aceptar este plan",
    "plan_accepted": "Gracias. Su plan de pagos está en marcha.",
    "plan_none": (
        "Sus cifras no dejan dinero para un plan. Hable con un asesor de deudas gratuito o "
        "llámenos: podemos pausar el cobro mientras recibe asesoría."
    ),
    "dispute_reason": "¿Por qué disputa esta deuda?",
    "reason_not_mine": "Esta deuda no es mía",
    "reason_amount_wrong": "La cantidad es incorrecta",
    "reason_paid": "Ya la pagué",
    "reason_identity_theft": "Soy víctima de robo de identidad",
    "reason_original_creditor": "Quiero el nombre y la dirección del acreedor original",
    "reason_other": "Otra razón",
    "dispute_details": "Cuéntenos más (opcional)",
    "dispute_file": "Adjunte un documento (opcional)",
    "dispute_file_hint": "Un archivo PDF, JPEG o PNG, de 5 MB como máximo.",
    "dispute_go": "Enviar mi disputa",
    "dispute_sent": (
        "Recibimos su disputa. Dejamos de cobrar esta deuda hasta enviarle la información que la "
        "responde."
    ),
    "stop_intro": (
        "Puede pedirnos que dejemos de contactarle sobre sus deudas. Lo haremos, salvo para "
        "decirle que dejamos de hacerlo o sobre una acción concreta que nosotros o el acreedor "
        "podamos tomar. Esto no cancela la deuda."
    ),
    "stop_confirm": "Quiero que dejen de contactarme",
    "stop_go": "Dejen de contactarme",
    "stop_done": "Dejamos de contactarle. Puede seguir usando esta página o llamarnos.",
    "prefs_intro": "Elija la única vía que quiere que usemos, y cuándo.",
    "prefs_channel": "Contactarme solo por",
    "channel_sms": "Mensaje de texto",
    "channel_email": "Correo electrónico",
    "channel_call": "Llamada telefónica",
    "channel_letter": "Carta",
    "prefs_from": "No antes de",
    "prefs_until": "No después de",
    "prefs_time_hint": "Su hora local. Déjelo vacío para cualquier hora permitida.",
    "prefs_go": "Guardar mi elección",
    "prefs_done": "Guardado. Le contactaremos solo por {channel}.",
    "check_title": "Confirme que es usted",
    "check_intro": (
        "Para proteger su información, escriba su fecha de nacimiento o los últimos cuatro "
        "dígitos de su número de Seguro Social."
    ),
    "dob": "Fecha de nacimiento",
    "dob_hint": "Por ejemplo 1980-04-02.",
    "or": "o",
    "last4": "Últimos cuatro dígitos de su número de Seguro Social",
    "check_go": "Continuar",
    "check_wrong": "No coincide con nuestros registros. Le quedan {left} intentos.",
    "check_empty": "Escriba su fecha de nacimiento o los últimos cuatro dígitos.",
    "refused_unknown_title": "Este enlace no funciona",
    "refused_unknown": (
        "No encontramos este enlace. Compruebe que lo copió completo de nuestro mensaje, o "
        "llámenos al {phone} ({hours})."
    ),
    "refused_expired_title": "Este enlace ha caducado",
    "refused_expired": "Por su seguridad, nuestros enlaces duran unos días.",
    "refused_used_title": "Este enlace ya se usó",
    "refused_used": (
        "Por su seguridad, cada enlace abre su cuenta una sola vez. Podemos enviarle un enlace "
        "nuevo al mismo lugar al que enviamos este."
    ),
    "refused_locked_title": "Demasiados intentos",
    "refused_locked": (
        "Este enlace está bloqueado 15 minutos por demasiadas respuestas incorrectas. Inténtelo "
        "más tarde o llámenos al {phone} ({hours})."
    ),
    "refused_address": (
        "Llegaron demasiadas respuestas incorrectas desde su conexión. Inténtelo dentro de una "
        "hora o llámenos al {phone} ({hours})."
    ),
    "new_link_go": "Envíenme un enlace nuevo",
    "new_link_sent": "Le enviamos un enlace nuevo. Llegará en unos minutos.",
    "new_link_refused": "No podemos enviar un enlace nuevo ahora. Llámenos al {phone} ({hours}).",
    "new_link_recent": "Le enviamos un enlace nuevo hace unos minutos. Revise sus mensajes.",
    "no_session_title": "Abra su cuenta desde nuestro mensaje",
    "no_session": (
        "Su sesión terminó o no se inició. Abra el enlace de nuestro último mensaje o llámenos al "
        "{phone} ({hours})."
    ),
    "signed_out": "Cerró la sesión.",
    "error_summary": "Corrija lo siguiente:",
    "err_amount": "Escriba una cantidad mayor que cero, con centavos como máximo.",
    "err_amount_over": "Es más de lo que debe ({balance}).",
    "err_date": "Escriba una fecha.",
    "err_date_past": "Elija hoy o una fecha posterior.",
    "err_choice": "Elija una opción.",
    "err_time": "Escriba una hora como 18:00.",
    "err_time_order": "«No antes de» debe ser anterior a «No después de».",
    "err_confirm": "Marque la casilla para confirmar.",
    "err_file_type": "El archivo debe ser PDF, JPEG o PNG.",
    "err_file_size": "El archivo supera los 5 MB.",
    "err_figure": "Escriba una cantidad de cero o más.",
    "err_double": "Este formulario ya se envió. No se hizo nada dos veces.",
    "err_stale": "Este formulario caducó. Rellénelo de nuevo.",
    "err_refused": "No pudimos hacerlo: {reason}",
    "freq_every": "{frequency}",
}

_BY_LANGUAGE = {"en": EN, "es": ES}

# The income and expenditure lines the page asks for: one or two per Standard Financial Statement
# group, so the form fits a phone; the codes are arrangements.domain.statement's.
STATEMENT_LINES: tuple[tuple[str, str, str], ...] = (
    ("earnings.wages", "Wages or salary (after tax)", "Sueldo o salario (después de impuestos)"),
    ("benefits.other_benefits", "Benefits", "Ayudas y prestaciones"),
    ("pensions.private", "Pensions", "Pensiones"),
    ("other_income.other", "Any other income", "Otros ingresos"),
    ("home.rent", "Rent or mortgage", "Alquiler o hipoteca"),
    ("home.energy", "Gas, electricity and water", "Gas, electricidad y agua"),
    ("travel.fuel", "Travel and transport", "Transporte"),
    ("food.groceries", "Food and housekeeping", "Comida y gastos del hogar"),
    ("personal.childcare", "Childcare", "Cuidado de niños"),
    ("personal.other_personal", "Clothing, health and personal costs", "Ropa, salud y personales"),
    ("communications.phone", "Phone, internet and TV", "Teléfono, internet y TV"),
    ("priority_debts.housing_arrears", "Priority debts (arrears, fines)", "Deudas prioritarias"),
    ("other_expenditure.other", "Any other spending", "Otros gastos"),
)
INCOME_PREFIXES = ("earnings.", "benefits.", "pensions.", "other_income.")


def language_of(language: str) -> str:
    return language if language in _BY_LANGUAGE else "en"


def texts(language: str) -> dict[str, str]:
    return _BY_LANGUAGE[language_of(language)]


def say(language: str, key: str, **values: object) -> str:
    return texts(language)[key].format(**values)


def statement_line_label(code: str, language: str) -> str:
    for line_code, english, spanish in STATEMENT_LINES:
        if line_code == code:
            return spanish if language_of(language) == "es" else english
    return code


_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "$", "AUD": "$"}


def currency_symbol(currency: str) -> str:
    """What goes before a figure: the symbol, or the code and a space."""
    return _SYMBOLS.get(currency.upper(), f"{currency.upper()} ")


def money(amount: Decimal, currency: str = "USD") -> str:
    """An amount as the debtor reads it: ``$1,245.50``; a currency without a symbol here is
    written after the figure (``1,245.50 CHF``)."""
    symbol = _SYMBOLS.get(currency.upper())
    sign = "-" if amount < 0 else ""
    if symbol is None:
        return f"{sign}{abs(amount):,.2f} {currency.upper()}"
    return f"{sign}{symbol}{abs(amount):,.2f}"
