"""The directory in Open Referral HSDS 3 shape, for partners who reuse it in their own directories.

Ids are UUIDs derived from our stable ids (uuid5), so they never change between runs or servers.
Descriptions and names of needs are the English originals.
"""

import math
import uuid

from safernights.opening_hours import DAYS

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://safernights.example/hsds")
TAXONOMY = "safernights-needs"
PER_PAGE, MAX_PER_PAGE = 20, 100


def uid(*parts):
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _eligibility(service):
    words = []
    if service.min_age:
        words.append(f"Aged {service.min_age} or over.")
    if service.max_age:
        words.append(f"Under {service.max_age + 1}.")
    if service.gender:
        words.append(f"For {service.gender}.")
    return " ".join(words) or None


def _schedules(service, service_id):
    if service.hours.always:
        every_day = ",".join(day[:2].upper() for day in DAYS)
        description = "Open 24 hours a day, 7 days a week" + (
            ", by appointment" if service.by_appointment else ""
        )
        schedule = {"id": uid(service.id, "always"), "service_id": service_id, "freq": "WEEKLY"}
        return [{**schedule, "byday": every_day, "description": description}]
    return [
        {
            "id": uid(service.id, "schedule", str(number)),
            "service_id": service_id,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": DAYS[period.day][:2].upper(),
            "opens_at": period.opens.strftime("%H:%M"),
            "closes_at": period.closes.strftime("%H:%M"),
            "description": "Times are UK time (Europe/London); closing before opening means the next day.",
        }
        for number, period in enumerate(service.hours.periods)
    ]


def _phone(service, number, phone, service_id):
    return _without_empty(
        {
            "id": uid(service.id, "phone", str(number)),
            "service_id": service_id,
            "number": phone.number,
            "type": phone.kind,
            "description": " ".join(
                filter(None, [phone.purpose, "Free from UK mobiles." if phone.free else ""])
            )
            or None,
            "languages": [],
        }
    )


def _need(service, need, names, service_id):
    term = {
        "id": uid("need", need),
        "code": need,
        "name": names[need],
        "description": names[need],
        "taxonomy": TAXONOMY,
    }
    return {"id": uid(service.id, "need", need), "link_id": service_id, "link_type": "service",
            "link_entity": "service", "taxonomy_term_id": term["id"], "taxonomy_term": term}  # fmt: skip


def _without_empty(record):
    return {key: value for key, value in record.items() if value is not None}


def summary(service):
    """The service as an item of an HSDS service list."""
    return _without_empty(
        {
            "id": uid(service.id),
            "name": service.name,
            "alternate_name": service.id,
            "description": service.description,
            "url": service.website,
            "email": service.email,
            "status": service.status,
            "eligibility_description": _eligibility(service),
            "minimum_age": service.min_age,
            "maximum_age": service.max_age,
            "assured_date": service.checked_date.isoformat(),
        }
    )


def full(service, need_names, area_names):
    """The whole HSDS service, with phones, schedules, service areas, languages and needs."""
    record = summary(service)
    service_id = record["id"]
    record["phones"] = [_phone(service, n, phone, service_id) for n, phone in enumerate(service.phones)]
    record["schedules"] = _schedules(service, service_id)
    record["service_areas"] = [
        {"id": uid(service.id, "area"), "service_id": service_id, "name": area_names[service.area]}
    ] if service.area else []  # fmt: skip
    record["languages"] = [
        {"id": uid(service.id, "language", code), "service_id": service_id, "code": code}
        for code in service.languages
    ]
    record["attributes"] = [_need(service, need, need_names, service_id) for need in service.needs]
    record["metadata"] = []
    return record


def page(services, number, per_page):
    """An HSDS Page object of service list items."""
    total_pages = max(1, math.ceil(len(services) / per_page))
    chosen = services[(number - 1) * per_page : number * per_page]
    return {
        "total_items": len(services),
        "total_pages": total_pages,
        "page_number": number,
        "size": len(chosen),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not chosen,
        "contents": [summary(service) for service in chosen],
    }
