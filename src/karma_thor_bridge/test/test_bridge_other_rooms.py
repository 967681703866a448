"""Skills in a bathroom (FloorPlan401) and a living room (FloorPlan201)."""
from bridge_helpers import alfred, first_id, gt_object


def ok(out):
    assert out.success, out.message
    return out


def test_bathroom_clean_a_cloth_and_use_the_toilet_lid(make_runner):
    r = make_runner('FloorPlan401')
    cloth = first_id(r, 'Cloth')
    r.backend.step('DirtyObject', objectId=cloth, forceAction=True)
    ok(r.run('navigate_to', [cloth]))
    ok(r.run('pickup', [cloth]))
    ok(r.run('clean', [cloth]))
    assert alfred(r, cloth)['cleaned'] and not gt_object(r, cloth)['isDirty']
    assert r.held() == cloth
    toilet = first_id(r, 'Toilet')
    ok(r.run('navigate_to', [toilet]))
    ok(r.run('open', [toilet]))
    ok(r.run('put', [toilet]))
    ok(r.run('close', [toilet]))
    assert gt_object(r, cloth)['parentReceptacles'] == [toilet]


def test_bathroom_has_no_kitchen_appliances(make_runner):
    r = make_runner('FloorPlan401')
    soap = first_id(r, 'SoapBar')
    ok(r.run('navigate_to', [soap]))
    ok(r.run('pickup', [soap]))
    for skill, app in (('heat', 'Microwave'), ('cool', 'Fridge')):
        out = r.run(skill, [soap])
        assert not out.success and f'no {app} in this scene' in out.message
    ok(r.run('explore', ['scene']))
    ok(r.run('drop', []))


def test_living_room_lamp_box_and_put_on_sofa(make_runner):
    r = make_runner('FloorPlan201')
    lamp = first_id(r, 'FloorLamp')
    ok(r.run('navigate_to', [lamp]))
    ok(r.run('toggle_off', [lamp]))
    ok(r.run('toggle_on', [lamp]))
    remote = first_id(r, 'RemoteControl')
    ok(r.run('navigate_to', [remote]))
    ok(r.run('pickup', [remote]))
    sofa = first_id(r, 'Sofa')
    ok(r.run('navigate_to', [sofa]))
    ok(r.run('put', [sofa]))
    assert gt_object(r, remote)['parentReceptacles'] == [sofa]
    laptop = first_id(r, 'Laptop')  # starts open
    ok(r.run('navigate_to', [laptop]))
    ok(r.run('close', [laptop]))
    ok(r.run('open', [laptop]))
