"""Community pages: thin views that check capability and jurisdiction (through
the selectors' getters), read through selectors and write through services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civil_affairs import clock, listing
from civil_affairs import rules as core_rules
from civil_affairs.errors import DomainError
from civil_affairs.models import AuditEvent
from civil_affairs.permissions import has_capability, require, resident_required
from civil_affairs.services import audit_record, record_viewed

from . import forms, selectors, services
from .models import Election, SocialOrg, Topic, TopicEntry
from .selectors import dashboard as dash

# ---------------------------------------------------------------- elections

ELECTION_SORTS = ("election_day", "region")


@require("community_view")
def elections(request):
    state = request.GET.get("state", "")
    qs = selectors.election_list_for_user(request.user, state=state if state in Election.State.values else "")
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="community.election",
            filename="community-elections",
            sheet=_("换届选举"),
            headers=[
                _("社区/村"),
                _("选举日"),
                _("状态"),
                _("登记选民"),
                _("参加投票"),
                _("参选率（%）"),
                _("选举有效"),
            ],
            qs=qs,
            row=lambda e: (
                e.region.name,
                e.election_day,
                e.get_state_display(),
                e.registered,
                e.voted,
                e.turnout,
                e.valid,
            ),
        )
    today = clock.today()
    context = listing.list_page(request, qs, sorts=ELECTION_SORTS, default="-election_day")
    context.update(
        states=Election.State.choices,
        calendar=list(selectors.election_calendar(request.user, start=today, end=today + dt.timedelta(days=180))[:50]),
        overdue=list(selectors.overdue_committees(request.user, on=today)[:50]),
        may_handle=has_capability(request.user, "community_handle"),
    )
    return render(request, "community/election_list.html", context)


@require("community_handle")
@require_http_methods(["GET", "POST"])
def election_new(request):
    form = forms.ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            region = selectors.community_get_for_user(request.user, form.cleaned_data["region"])
            election = services.election_create(
                actor=request.user,
                region=region,
                election_day=form.cleaned_data["election_day"],
                committee_formed_on=form.cleaned_data["committee_formed_on"],
                election_committee=form.cleaned_data["election_committee"],
                seats=form.cleaned_data["seats"],
            )
        except Http404:
            form.add_error("region", _("辖区内没有这个社区或村。"))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("community:election_detail", election.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("组成选举委员会，启动换届选举")})


@require("community_view")
def election_detail(request, pk):
    election = selectors.election_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=election)
    voters = selectors.voters_of(election)
    context = {
        "election": election,
        "may_handle": selectors.may_handle(request.user, election.region_id),
        "voter_count": voters.filter(removed=False).count(),
        "voters": list(voters[:200]),
        "candidates": list(election.candidates.select_related("person").order_by("-votes", "id")),
        "boxes": list(election.boxes.all()),
        "earliest_day": election.roll_published_on and election.roll_published_on + dt.timedelta(days=20),
        "forms": {
            "add": forms.VoterAddForm(),
            "publish": forms.DateForm(initial={"on": clock.today()}),
            "candidates": forms.CandidatesForm(),
            "announce": forms.DateForm(initial={"on": clock.today()}),
            "handover": forms.HandoverForm(initial={"on": clock.today()}),
        },
    }
    return render(request, "community/election_detail.html", context)


def _election_step(request, election, step):
    post = request.POST
    actor = request.user
    if step == "roll":
        counts = services.voter_roll_build(actor=actor, elections=[election])
        return _("已从户籍登记生成选民名单：新增 %(added)d 人，移出 %(dropped)d 人。") % counts
    if step == "add":
        form = forms.VoterAddForm(post)
        if not form.is_valid():
            raise DomainError(" ".join(e for errs in form.errors.values() for e in errs))
        services.voter_add(
            actor=actor, election=election, person=form.cleaned_data["person"], reason=form.cleaned_data["reason"]
        )
        return _("已补充登记选民。")
    if step == "remove":
        form = forms.VoterRemoveForm(post)
        if not form.is_valid():
            raise DomainError(_("除名须写明原因。"))
        voter = election.voters.filter(pk=form.cleaned_data["voter"]).first()
        if voter is None:
            raise DomainError(_("该选民不在本次选举的名单中。"))
        services.voter_remove(actor=actor, election=election, voter=voter, reason=form.cleaned_data["reason"])
        return _("已除名。")
    if step in ("publish", "announce"):
        form = forms.DateForm(post)
        if not form.is_valid():
            raise DomainError(_("请填写有效日期。"))
        if step == "publish":
            services.roll_publish(actor=actor, election=election, published_on=form.cleaned_data["on"])
            return _("选民名单已公布。")
        services.results_announce(actor=actor, election=election, announced_on=form.cleaned_data["on"])
        return _("选举结果已公告，须在 10 日内完成工作移交。")
    if step == "candidates":
        form = forms.CandidatesForm(post)
        if not form.is_valid():
            raise DomainError(" ".join(e for errs in form.errors.values() for e in errs))
        services.candidates_set(actor=actor, election=election, people=form.cleaned_data["id_numbers"])
        return _("候选人已确定。")
    if step == "handover":
        form = forms.HandoverForm(post)
        if not form.is_valid():
            raise DomainError(_("请填写有效日期。"))
        services.handover_record(actor=actor, election=election, handed_over_on=form.cleaned_data["on"])
        return _("工作移交已完成，新一届委员会任期五年。")
    raise Http404


ELECTION_STEPS = ("roll", "add", "remove", "publish", "candidates", "announce", "handover")


@require("community_handle")
@require_POST
def election_step(request, pk, step):
    if step not in ELECTION_STEPS:
        raise Http404
    election = selectors.election_for_handling(request.user, pk)
    try:
        messages.success(request, _election_step(request, election, step))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("community:election_detail", election.pk)


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


BOX_FIELDS = ("registered", "issued", "returned", "valid", "invalid")
BOX_ROWS = 3


@require("community_handle")
@require_http_methods(["GET", "POST"])
def election_results(request, pk):
    """Results per ballot box: the figures are checked to add up, validity and winners computed."""
    election = selectors.election_for_handling(request.user, pk)
    candidates = list(election.candidates.select_related("person"))
    rows, errors = [], []
    for i in range(BOX_ROWS):
        prefix = f"box{i}"
        row = {
            "prefix": prefix,
            "name": request.POST.get(f"{prefix}-name", "").strip() if request.method == "POST" else "",
        }
        for f in BOX_FIELDS:
            row[f] = request.POST.get(f"{prefix}-{f}", "")
        row["votes"] = [(c, request.POST.get(f"{prefix}-c{c.pk}", "")) for c in candidates]
        rows.append(row)
    if request.method == "GET" and election.boxes.exists():
        for row, box in zip(rows, election.boxes.prefetch_related("votes"), strict=False):
            row["name"] = box.name
            for f in BOX_FIELDS:
                row[f] = getattr(box, f)
            got = {v.candidate_id: v.votes for v in box.votes.all()}
            row["votes"] = [(c, got.get(c.pk, "")) for c in candidates]
    if request.method == "GET" and not election.boxes.exists():
        rows[0]["name"] = _("第一票箱")
    if request.method == "POST":
        boxes = []
        for row in rows:
            if not row["name"] and not any(row[f] for f in BOX_FIELDS):
                continue
            values = {f: _int(row[f]) for f in BOX_FIELDS}
            votes = {c.pk: _int(v) for c, v in row["votes"]}
            missing = [f for f, v in values.items() if v is None] + [
                str(c.person.name) for c in candidates if votes[c.pk] is None
            ]
            if not row["name"]:
                errors.append(_("请填写票箱名称。"))
            elif missing:
                errors.append(_("票箱“%(box)s”有未填或不是整数的票数。") % {"box": row["name"]})
            else:
                boxes.append({"name": row["name"], **values, "votes": votes})
        if not errors:
            try:
                outcome = services.results_enter(actor=request.user, election=election, boxes=boxes)
            except DomainError as exc:
                errors.append(str(exc))
            else:
                if outcome.valid and not outcome.runoff_required:
                    messages.success(request, _("选举有效，当选：%(names)s。") % {"names": "、".join(outcome.elected)})
                elif outcome.valid:
                    messages.warning(
                        request,
                        _("选举有效，尚缺 %(n)d 名未选足，须另行选举。") % {"n": outcome.seats_unfilled},
                    )
                else:
                    messages.warning(
                        request,
                        _("参加投票的选民 %(voted)d 人未超过登记选民 %(registered)d 人的半数，选举无效，须重新选举。")
                        % {"voted": outcome.voted, "registered": outcome.registered},
                    )
                return redirect("community:election_detail", election.pk)
    return render(
        request,
        "community/election_results.html",
        {"election": election, "candidates": candidates, "rows": rows, "errors": errors, "fields": BOX_FIELDS},
    )


# ---------------------------------------------------------------- deliberation


@require("community_view")
def topics(request):
    state = request.GET.get("state", "")
    qs = selectors.topic_list_for_user(request.user, state=state if state in Topic.State.values else "")
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="community.topic",
            filename="community-topics",
            sheet=_("协商议题"),
            headers=[_("社区/村"), _("议题"), _("状态"), _("提议日期"), _("完成期限"), _("进度（%）"), _("完成日期")],
            qs=qs,
            row=lambda t: (
                t.region.name,
                t.title,
                t.get_state_display(),
                t.proposed_on,
                t.due_on,
                t.progress,
                t.completed_on,
            ),
        )
    context = listing.list_page(request, qs, sorts=("proposed_on", "due_on"), default="-proposed_on")
    context.update(states=Topic.State.choices, may_handle=has_capability(request.user, "community_handle"))
    return render(request, "community/topic_list.html", context)


@require("community_handle")
@require_http_methods(["GET", "POST"])
def topic_new(request):
    """A committee member proposes a topic."""
    initial = {"region": request.user.region_id} if request.user.region and request.user.region.level == 5 else {}
    form = forms.StaffTopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            region = selectors.community_get_for_user(request.user, form.cleaned_data["region"])
            topic = services.topic_propose(
                actor=request.user,
                region=region,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except Http404:
            form.add_error("region", _("辖区内没有这个社区或村。"))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("community:topic_detail", topic.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("提出议题")})


@require("community_view")
def topic_detail(request, pk):
    topic = selectors.topic_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=topic)
    may = selectors.may_handle(request.user, topic.region_id)
    step_forms = {}
    if may:
        for step, form_class in forms.TOPIC_FORMS.items():
            if step in NEXT_STEPS.get(topic.state, ()):
                step_forms[step] = form_class() if form_class else None
    return render(
        request,
        "community/topic_detail.html",
        {"topic": topic, "entries": selectors.topic_entries(topic), "may_handle": may, "step_forms": step_forms},
    )


NEXT_STEPS = {
    Topic.State.PROPOSED: ("accept", "decline"),
    Topic.State.ACCEPTED: ("notify",),
    Topic.State.NOTIFIED: ("meet",),
    Topic.State.MET: ("resolve",),
    Topic.State.RESOLVED: ("publish",),
    Topic.State.PUBLISHED: ("progress",),
    Topic.State.EXECUTING: ("progress",),
    Topic.State.DONE: ("feedback",),
}
STEP_LABELS = {
    "accept": _("确定为议题"),
    "decline": _("不予采纳"),
    "notify": _("发出会议通知"),
    "meet": _("记录协商会议"),
    "resolve": _("形成协商意见"),
    "publish": _("公示"),
    "progress": _("填报实施进展"),
    "feedback": _("反馈结果"),
}


@require("community_handle")
@require_http_methods(["GET", "POST"])
def topic_step(request, pk, step):
    if step not in forms.TOPIC_FORMS:
        raise Http404
    topic = selectors.topic_for_handling(request.user, pk)
    form_class = forms.TOPIC_FORMS[step]
    form = form_class(request.POST or None, request.FILES or None) if form_class else None
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form else {}
        actor = request.user
        try:
            if step == "accept":
                services.topic_accept(actor=actor, topic=topic, participants=data["participants"])
            elif step == "decline":
                services.topic_decline(actor=actor, topic=topic, reason=data["reason"])
            elif step == "notify":
                services.topic_notify(actor=actor, topic=topic, **data)
            elif step == "meet":
                services.topic_meet(actor=actor, topic=topic, **data)
            elif step == "resolve":
                services.topic_resolve(actor=actor, topic=topic, **data)
            elif step == "publish":
                services.topic_publish(actor=actor, topic=topic)
            elif step == "progress":
                services.topic_progress(
                    actor=actor,
                    topic=topic,
                    progress=data["progress"],
                    note=data["note"],
                    evidence=data.get("evidence"),
                )
            elif step == "feedback":
                services.topic_feedback(actor=actor, topic=topic, feedback=data["feedback"])
        except DomainError as exc:
            if form is None:
                messages.error(request, str(exc))
                return redirect("community:topic_detail", topic.pk)
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已办理：%(step)s。") % {"step": STEP_LABELS[step]})
            return redirect("community:topic_detail", topic.pk)
    return render(
        request,
        "community/form_page.html",
        {"form": form, "title": f"{topic.title} · {STEP_LABELS[step]}", "multipart": step == "progress"},
    )


def _serve_evidence(request, entry: TopicEntry):
    if not entry.evidence:
        raise Http404
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        target=entry.topic,
        changes={"evidence": entry.evidence_name},
    )
    return FileResponse(
        entry.evidence.open("rb"), as_attachment=True, filename=entry.evidence_name, content_type=entry.evidence_type
    )


@require("community_view")
def evidence(request, pk):
    entry = TopicEntry.objects.select_related("topic").filter(pk=pk).first()
    if entry is None:
        raise Http404
    selectors.topic_get_for_user(request.user, entry.topic_id)  # jurisdiction
    return _serve_evidence(request, entry)


# ---------------------------------------------------------------- social organisations


@require("community_view")
def orgs(request):
    g = request.GET
    qs = selectors.org_list_for_user(
        request.user, kind=g.get("kind", ""), grade=g.get("grade", ""), listed=g.get("listed", "")
    )
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="community.socialorg",
            filename="community-orgs",
            sheet=_("社会组织"),
            headers=[
                _("名称"),
                _("类型"),
                _("登记机关区划"),
                _("登记日期"),
                _("评估等级"),
                _("有效期至"),
                _("活动异常"),
                _("严重违法失信"),
            ],
            qs=qs,
            row=lambda o: (
                o.name,
                o.get_kind_display(),
                o.region.name,
                o.registered_on,
                o.grade,
                o.grade_until,
                o.abnormal_since,
                o.violation_since,
            ),
        )
    today = clock.today()
    context = listing.list_page(request, qs, sorts=("name", "registered_on"), default="name", pinyin=("name",))
    context.update(
        kinds=SocialOrg.Kind.choices,
        grades=[(g, g) for g in ("5A", "4A", "3A", "2A", "1A")],
        expiring=list(selectors.grades_expiring(request.user, on=today)[:20]),
        may_handle=has_capability(request.user, "org_handle"),
    )
    return render(request, "community/org_list.html", context)


@require("org_handle")
@require_http_methods(["GET", "POST"])
def org_new(request):
    form = forms.OrgForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        region = selectors.scoped_region(request.user, data.pop("region"))
        if region is None:
            form.add_error("region", _("辖区内没有这个区划。"))
        else:
            try:
                org = services.org_file(actor=request.user, region=region, **data)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("community:org_detail", org.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("社会组织登记备案")})


@require("community_view")
def org_detail(request, pk):
    org = selectors.org_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=org)
    today = clock.today()
    ratings = list(org.ratings.all())
    return render(
        request,
        "community/org_detail.html",
        {
            "org": org,
            "reports": list(org.reports.all()),
            "ratings": ratings,
            "refusals": services.rules.rating_refusals(services.org_record(org, today), today),
            "may_handle": has_capability(request.user, "org_handle"),
            "report_form": forms.ReportForm(initial={"year": today.year - 1, "submitted_on": today}),
            "list_form": forms.ListForm(),
            "today": today,
        },
    )


ORG_STEPS = ("report", "apply", "score", "object", "answer", "finalise", "list")


@require("org_handle")
@require_POST
def org_step(request, pk, step):
    if step not in ORG_STEPS:
        raise Http404
    org = selectors.org_get_for_user(request.user, pk)
    actor, post = request.user, request.POST
    form_class = {
        "report": forms.ReportForm,
        "apply": forms.DateForm,
        "score": forms.ScoreForm,
        "object": forms.ObjectionForm,
        "answer": forms.AnswerForm,
        "finalise": forms.FinaliseForm,
        "list": forms.ListForm,
    }[step]
    form = form_class(post)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("community:org_detail", org.pk)
    d = form.cleaned_data
    try:
        rating = org.ratings.filter(pk=d["rating"]).first() if "rating" in d else None
        if "rating" in d and rating is None:
            raise DomainError(_("没有这条评估记录。"))
        if step == "report":
            services.annual_report_record(
                actor=actor, org=org, year=d["year"], submitted_on=d["submitted_on"], result=d["result"]
            )
        elif step == "apply":
            made = services.rating_apply(actor=actor, org=org, applied_on=d["on"])
            if made.state == made.State.REFUSED:
                messages.warning(request, _("不符合申请条件：%(why)s") % {"why": made.refusal})
                return redirect("community:org_detail", org.pk)
        elif step == "score":
            services.rating_score(actor=actor, rating=rating, score=d["score"], scored_on=d["on"])
        elif step == "object":
            services.rating_object(actor=actor, rating=rating, text=d["text"], received_on=d["on"])
        elif step == "answer":
            services.rating_answer(
                actor=actor, rating=rating, answer=d["answer"], answered_on=d["on"], score=d["score"]
            )
        elif step == "finalise":
            services.rating_finalise(actor=actor, rating=rating, on=d["on"])
        elif step == "list":
            services.org_list_set(actor=actor, org=org, which=d["which"], since=d["since"], reason=d["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存。"))
    return redirect("community:org_detail", org.pk)


# ---------------------------------------------------------------- dashboard


@require("community_dashboard")
def dashboard(request):
    root = dash.dashboard_root(request.user, request.GET.get("region", ""))
    if root is None:
        raise Http404
    today = clock.today()
    data = dash.dashboard_data(root, today)
    if listing.export_requested(request):
        return listing.xlsx_export(
            request,
            target_type="community.dashboard",
            filename="community-dashboard",
            sheet=_("基层治理看板"),
            headers=[_("区划"), *[str(c["label"]) for c in data["columns"]]],
            rows=([r["name"], *r["values"]] for r in data["rows"]),
        )
    return render(request, "community/dashboard.html", {"root": root, "data": data, "today": today})


# ---------------------------------------------------------------- residents' portal


@resident_required
@require_http_methods(["GET", "POST"])
def portal_index(request):
    region = selectors.resident_community(request.user)
    form = forms.TopicForm(request.POST or None)
    if request.method == "POST":
        if region is None:
            form.add_error(None, _("您的户籍不在本市的社区或村，暂不能提出议题。"))
        elif form.is_valid():
            try:
                topic = services.topic_propose(
                    actor=request.user,
                    region=region,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    proposer=request.user.person,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("议题已提交，社区将答复是否列入议程。"))
                return redirect("community_portal:topic", topic.pk)
    return render(
        request,
        "community/portal_index.html",
        {
            "region": region,
            "form": form,
            "topics": list(selectors.resident_topics(request.user)[:50]),
            "voter_status": selectors.resident_voter_status(request.user),
        },
    )


@resident_required
def portal_topic(request, pk):
    topic = selectors.resident_topic_get(request.user, pk)
    return render(
        request,
        "community/portal_topic.html",
        {"topic": topic, "entries": selectors.topic_entries(topic), "mine": topic.proposer_user_id == request.user.pk},
    )


@resident_required
@require_POST
def portal_follow(request, pk):
    region = selectors.resident_community(request.user)
    topic = Topic.objects.filter(pk=pk, region=region, state__in=selectors.PUBLIC_STATES).first() if region else None
    if topic is None:
        raise Http404
    services.topic_follow(user=request.user, topic=topic)
    messages.success(request, _("已关注该议题。"))
    return redirect("community_portal:topic", topic.pk)


# ---------------------------------------------------------------- public pages (no login)


def public_community(request, code):
    region = selectors.public_community(code)
    topics_ = list(selectors.public_topics(region)[:50])
    return render(
        request,
        "community/public_community.html",
        {
            "region": region,
            "topics": topics_,
            "rate": selectors.execution_rate_total(region.code, clock.today()),
            "committee": selectors.committee_current(region),
            "mask": core_rules.mask_name,
        },
    )


def public_topic(request, code, pk):
    region = selectors.public_community(code)
    topic = selectors.public_topics(region).filter(pk=pk).first()
    if topic is None:
        raise Http404
    entries = selectors.topic_entries(topic)
    for entry in entries:
        if entry.step == TopicEntry.Step.ACCEPT:
            entry.note = ""  # the participants' names stay off the public page
    return render(request, "community/public_topic.html", {"region": region, "topic": topic, "entries": entries})
