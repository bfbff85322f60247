"""The dialer's own SIP stack, small and only what a dialer needs: SIP messages (``message``), SDP
(``sdp``), digest answers (``digest``), the user agent that places, cancels and ends calls over UDP
(``ua``, its calls in ``dialog``), RTP legs with G.711 audio (``rtp``, ``g711``), WAV files (``wav``), a bridged call's
recording (``recorder``), the settings from ``SOLVENT_SIP_*`` (``config``) and a capacity
measure (``capacity``). ``adapters.sip.SipTelephony`` puts them behind the telephony port."""
