"""The served OpenAPI description covers every route and validates real requests' shapes."""

from __future__ import annotations

from tests.conftest import Controller


async def test_openapi_lists_every_route_with_its_body(controller: Controller) -> None:
    answer = await controller.api.get("/api/openapi.json", token=None)
    assert answer.status == 200
    spec = answer.body
    assert spec["openapi"] == "3.1.0"
    routes = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
    }
    registered = {
        (resource.method, resource.resource.canonical)  # type: ignore[union-attr]
        for resource in controller.app.router.routes()
        if resource.resource is not None
        and resource.resource.canonical.startswith("/api/")
        and resource.method != "HEAD"
        and resource.resource.canonical != "/api/openapi.json"
    }
    assert routes == registered
    create = spec["paths"]["/api/sessions"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert body["required"] == ["title", "origin"]
    assert create["security"] == [{"admin": []}]
    operation_ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))
