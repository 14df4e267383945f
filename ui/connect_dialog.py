"""Connect (or sign in again) one account: a platform chooser and that platform's form.

Mastodon asks for the instance and signs in through the browser (OAuth with PKCE); X asks for
your X app's OAuth 2.0 client id (and secret for a confidential client) and signs in through
the browser; Bluesky asks for the handle and an app password; Facebook and Instagram ask for
your Meta app's id and secret and a user token. With the demo running, the sandbox's brand
accounts can be connected instead. The form only collects; the accounts dialog runs the
sign-in and reports through `set_busy` / `show_error`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.auth.flows import BLUESKY_PDS, GRAPH_API, X_API, ConnectRequest
from desktop.domain.enums import Platform
from desktop.domain.models import Account
from ui.icons import platform_icon
from ui.naming import named

TITLES = {
    Platform.MASTODON: "Mastodon",
    Platform.BLUESKY: "Bluesky",
    Platform.X: "X",
    Platform.FACEBOOK: "Facebook Page",
    Platform.INSTAGRAM: "Instagram",
}
HELP = {
    Platform.MASTODON: "Your browser opens on your server's sign-in page (OAuth with PKCE). "
    "Switchboard asks for read and write access.",
    Platform.BLUESKY: "Use an app password (Bluesky: Settings › Privacy and security › App "
    "passwords), not your account password. Tick “Allow access to your direct messages” "
    "for DMs.",
    Platform.X: "Your own X developer app, type “Native App”, with the callback URL "
    "http://127.0.0.1:PORT/callback (enter the same port below). The browser opens for you "
    "to allow access. A client secret is only needed for a confidential (web) app.",
    Platform.FACEBOOK: "Your own Meta app (id and secret) and a user token of a Page admin "
    "(e.g. from the Graph API Explorer) with the Page permissions; it is exchanged for a "
    "Page token that does not expire.",
    Platform.INSTAGRAM: "The Meta app of the Facebook Page the professional Instagram account "
    "is linked to, and a user token of that Page's admin.",
}


class _Form(QWidget):
    """One platform's fields, by ConnectRequest field name."""

    def __init__(self, platform: Platform, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.platform = platform
        self.fields: dict[str, QLineEdit] = {}
        layout = QFormLayout(self)
        note = QLabel(HELP[platform])
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        layout.addRow(named(note, f"{platform.value}Help", f"How {TITLES[platform]} signs in"))
        for key, label, placeholder, secret in _FIELDS[platform]:
            edit = QLineEdit()
            name = f"{platform.value}{key.title().replace('_', '')}"
            named(edit, name, f"{TITLES[platform]} {label.lower()}")
            edit.setPlaceholderText(placeholder)
            if secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.fields[key] = edit
            layout.addRow(label, edit)

    def values(self) -> dict[str, str | None]:
        return {k: (e.text().strip() or None) for k, e in self.fields.items()}


# (ConnectRequest field, label, placeholder, secret)
_FIELDS: dict[Platform, tuple[tuple[str, str, str, bool], ...]] = {
    Platform.MASTODON: (
        ("server", "Server", "mastodon.social", False),
        ("handle", "Account (optional)", "the username to sign in as", False),
    ),
    Platform.BLUESKY: (
        ("server", "Server", BLUESKY_PDS, False),
        ("handle", "Handle", "brand.bsky.social", False),
        ("app_password", "App password", "xxxx-xxxx-xxxx-xxxx", True),
    ),
    Platform.X: (
        ("client_id", "Client id", "OAuth 2.0 client id of your X app", False),
        ("client_secret", "Client secret", "only for a confidential app", True),
        ("callback_port", "Callback port", "if your app's callback names one", False),
        ("server", "API", X_API, False),
    ),
    Platform.FACEBOOK: (
        ("client_id", "App id", "your Meta app's id", False),
        ("client_secret", "App secret", "", True),
        ("user_token", "User token", "a Page admin's user access token", True),
        ("page", "Page (optional)", "id, username or name", False),
        ("server", "Graph API", GRAPH_API, False),
    ),
    Platform.INSTAGRAM: (
        ("client_id", "App id", "your Meta app's id", False),
        ("client_secret", "App secret", "", True),
        ("user_token", "User token", "a Page admin's user access token", True),
        ("handle", "Username (optional)", "if the Pages link several", False),
        ("server", "Graph API", GRAPH_API, False),
    ),
}


class ConnectDialog(QDialog):
    """`submitted(ConnectRequest, brand)` when the user asks to sign in; `cancelled` when
    they close it (the accounts dialog then cancels a sign-in in progress)."""

    submitted = Signal(object, str)
    cancelled = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        sandbox_url: str | None = None,
        account: Account | None = None,
    ) -> None:
        super().__init__(parent)
        self.account = account
        self.sandbox_url = sandbox_url
        reauth = account is not None
        named(self, "connectDialog", "Sign in again" if reauth else "Connect an account")
        self.setWindowTitle(
            f"Sign in again: {account.handle}" if account is not None else "Connect an account"
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.platform_combo = named(QComboBox(), "platformCombo", "Platform")
        for platform in Platform:
            self.platform_combo.addItem(platform_icon(platform), TITLES[platform], platform)
        form.addRow("Platform", self.platform_combo)
        self.sandbox_check = named(
            QCheckBox("Use the demo sandbox"), "sandboxCheck", "Use the demo sandbox"
        )
        self.sandbox_check.setVisible(bool(sandbox_url) and not reauth)
        self.sandbox_check.setChecked(bool(sandbox_url) and not reauth)
        form.addRow("", self.sandbox_check)
        self.sandbox_handle = named(QLineEdit(), "sandboxHandle", "Sandbox brand account")
        self.sandbox_handle.setPlaceholderText("blank: the first brand account")
        self.sandbox_label = QLabel("Brand account")
        form.addRow(self.sandbox_label, self.sandbox_handle)
        layout.addLayout(form)
        self.stack = named(QStackedWidget(), "platformForms", "Sign-in details")
        self.forms: dict[Platform, _Form] = {}
        for platform in Platform:
            self.forms[platform] = _Form(platform)
            self.stack.addWidget(self.forms[platform])
        layout.addWidget(self.stack)
        brand_row = QFormLayout()
        self.brand_edit = named(QLineEdit(), "brandEdit", "Brand")
        self.brand_edit.setPlaceholderText("blank: the account's display name")
        brand_row.addRow("Brand", self.brand_edit)
        layout.addLayout(brand_row)
        self.message = named(QLabel(""), "connectMessage", "Sign-in status")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.submit_button = named(
            QPushButton("Sign in again" if reauth else "Connect"), "connectSubmit", "Connect"
        )
        self.submit_button.setDefault(True)
        self.cancel_button = named(QPushButton("Cancel"), "connectCancel", "Cancel")
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)

        self.platform_combo.currentIndexChanged.connect(self._show_form)
        self.sandbox_check.toggled.connect(self._show_form)
        self.submit_button.clicked.connect(self._submit)
        self.cancel_button.clicked.connect(self.reject)
        self.rejected.connect(self.cancelled)
        if account is not None:
            self.platform_combo.setCurrentIndex(list(Platform).index(account.platform))
            self.platform_combo.setEnabled(False)
            self.brand_edit.setEnabled(False)
            self._prefill(account)
        self._show_form()
        self.setMinimumWidth(480)

    def _prefill(self, account: Account) -> None:
        form = self.forms[account.platform]
        for key, value in (("server", account.base_url), ("handle", account.handle)):
            if key in form.fields:
                form.fields[key].setText(value)
        if "page" in form.fields:
            form.fields["page"].setText(account.platform_user_id)

    def platform(self) -> Platform:
        return Platform(self.platform_combo.currentData())

    def choose(self, platform: Platform) -> None:
        self.platform_combo.setCurrentIndex(list(Platform).index(platform))

    def _show_form(self) -> None:
        sandbox = self.sandbox_check.isChecked() and self.sandbox_check.isVisible()
        current = self.forms[self.platform()]
        for form in self.forms.values():  # the stack takes the current page's height only
            policy = QSizePolicy.Policy.Preferred if form is current else QSizePolicy.Policy.Ignored
            form.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(current)
        self.stack.setVisible(not sandbox)
        self.sandbox_handle.setVisible(sandbox)
        self.sandbox_label.setVisible(sandbox)
        self.message.setText("")

    def request(self) -> ConnectRequest:
        platform = self.platform()
        if self.sandbox_check.isChecked() and self.sandbox_check.isVisible():
            return ConnectRequest(
                platform,
                sandbox_url=self.sandbox_url,
                handle=self.sandbox_handle.text().strip() or None,
            )
        values = self.forms[platform].values()
        return ConnectRequest(platform, **values)

    def _submit(self) -> None:
        self.submitted.emit(self.request(), self.brand_edit.text().strip())

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.submit_button.setEnabled(not busy)
        self.stack.setEnabled(not busy)
        self.message.setText(text)

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)
