// "Add a condition" in the handout builder, without reloading the page: the builder works
// without this script (its buttons re-render the page, keeping everything typed); with it, the
// added condition's block is fetched and inserted, and a removed one is taken out in place.
(() => {
  const box = document.getElementById("packet-add");
  const list = document.getElementById("packet-conditions");
  if (!box || !list || !window.fetch) return;
  const search = document.getElementById("id_condition_search");
  const result = document.getElementById("packet-add-result");
  const max = Number(box.dataset.max);

  const packetSlugs = () =>
    Array.from(list.querySelectorAll('input[name="packet"]'), (input) => input.value);

  const showAddBox = () => {
    box.hidden = packetSlugs().length + 1 >= max;
  };

  const add = async (chosenSlug) => {
    const query = new URLSearchParams();
    query.set("condition_search", search.value);
    if (chosenSlug) query.set("add_slug", chosenSlug);
    packetSlugs().forEach((slug) => query.append("packet", slug));
    const response = await fetch(`${box.dataset.url}?${query}`, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    if (!response.ok) {
      box.closest("form").requestSubmit(box.querySelector(".packet-add-button"));
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    const block = template.content.querySelector(".packet-condition");
    if (block) {
      list.append(block);
      result.replaceChildren();
      search.value = "";
      showAddBox();
      block.querySelector("h2").focus();
    } else {
      result.replaceChildren(template.content);
    }
  };

  box.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.value === "add_condition" || button.name === "add_slug") {
      event.preventDefault();
      add(button.name === "add_slug" ? button.value : "");
    }
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add("");
    }
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest('button[name="remove"]');
    if (!button) return;
    event.preventDefault();
    button.closest(".packet-condition").remove();
    showAddBox();
    search.focus();
  });
})();
