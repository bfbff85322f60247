"""Pure rules of arrangements: no Django, no clock (today comes in as an argument).

``statement``: the Standard Financial Statement's lines, monthly amounts and disposable income;
``proposal``: instalments that fit the disposable income; ``status``: whether a promise or a plan's
instalments were kept; ``vulnerability``: kinds, treatments and where to refer for free debt advice.
"""
