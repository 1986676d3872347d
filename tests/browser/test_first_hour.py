"""A newcomer's first hour in a real browser: from a survey link, without an account, to
"Thank you" — sign-up, the emailed link, sign-in, answering; and the pages around it."""

from http import HTTPStatus

import pytest
from playwright.sync_api import expect

from surveys.models import Response
from tests.browser.conftest import link_in_mail
from tests.surveys.factories import survey_with_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_an_invitee_without_an_account_signs_up_signs_in_and_answers(
    live_server, page, mailbox, screenshot, user_factory
):
    survey = survey_with_questions(owner=user_factory(), questions=2, title="Lunch")
    email = "newcomer@example.org"

    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    screenshot("survey-anonymous")
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    screenshot("sign-up-refused")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your mail")
    screenshot("sign-up-sent")

    page.goto(link_in_mail(mailbox, email, f"{live_server.url}/activate/"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Address confirmed")

    page.goto(f"{live_server.url}/surveys/{survey.pk}")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_text("Menu:")).to_have_count(0)
    screenshot("sign-in")
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lunch")
    expect(page.get_by_text("Successfully signed in")).to_have_count(0)
    for fieldset in page.locator("fieldset").all():
        fieldset.locator("input").first.check()
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("status")).to_have_text("Thank you! Your answers are saved.")
    screenshot("answered")
    assert Response.objects.filter(survey=survey, respondent__email=email).exists()

    page.reload()
    expect(page.get_by_role("status")).to_contain_text("already answered")


def test_forgotten_password_and_resend_pages_answer_in_the_same_look(
    live_server, page, mailbox, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten password")
    screenshot("forgotten-password")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Mail me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your mail")

    page.goto(f"{live_server.url}/accounts/password/reset/")
    page.get_by_role("link", name="Resend the confirmation mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resend the confirmation mail")
    screenshot("resend-confirmation")


def test_a_missing_survey_shows_a_styled_page(live_server, page, screenshot, user_factory):
    user_factory(email="reader@example.org", password=PASSWORD)

    page.goto(f"{live_server.url}/accounts/login/?next=/surveys/987654")
    page.get_by_placeholder("Email address").fill("reader@example.org")
    page.get_by_placeholder("Password").fill(PASSWORD)
    response_status = []
    page.on("response", lambda response: response_status.append(response.status))
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("No such survey")
    assert HTTPStatus.NOT_FOUND in response_status
    screenshot("not-found")
