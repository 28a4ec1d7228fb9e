"""The admin's "send" buttons: which firm's next file (in the firm's own format), and whether
every live instruction is sent again."""

from django import forms

from notes.models import ExchangeOffer
from tenders.accounts.models import BrokerFirm


class SendForm(forms.Form):
    offer = forms.ModelChoiceField(queryset=ExchangeOffer.objects.all())
    firm = forms.ModelChoiceField(queryset=BrokerFirm.objects.all())
    holds_all = forms.BooleanField(required=False)


class AgentFileForm(forms.Form):
    """The admin's upload of a file from the agent."""

    file = forms.FileField(help_text="seev.034/seev.041/seev.036 XML, or MT567/MT566 (FIN).")
    dry_run = forms.BooleanField(required=False, label="Check only (write nothing)")
