// Read each question out loud with the browser's own speech synthesis.
// Progressive enhancement: the button is hidden until this script finds speech support, and the
// page works the same without it. Loaded as a module from our own origin (no inline script).
const synth = window.speechSynthesis

function textToRead (form) {
  const parts = []
  if (!form.matches('form')) {
    // A whole page (like "you said, we did"): its headings and the words marked to read.
    form.querySelectorAll('h1, h2, .app-read-aloud-text').forEach((el) => parts.push(el.textContent))
    return parts.map((part) => part.replace(/\s+/g, ' ').trim()).filter(Boolean).join('. ')
  }
  const heading = form.querySelector('h1')
  if (heading) parts.push(heading.textContent)
  form.querySelectorAll('.govuk-hint').forEach((hint) => parts.push(hint.textContent))
  form.querySelectorAll('.govuk-radios__label, .govuk-checkboxes__label').forEach((label) => {
    const words = label.querySelector('.app-emoji__label') || label
    parts.push(words.textContent)
  })
  return parts.map((part) => part.trim()).filter(Boolean).join('. ')
}

function setUp (button) {
  const target = button.dataset.readAloudTarget
  const form = target ? document.getElementById(target) : button.closest('form')
  const lang = button.dataset.readAloudLang || document.documentElement.lang || 'en'
  button.closest('.app-read-aloud').hidden = false
  button.addEventListener('click', () => {
    synth.cancel()
    const utterance = new window.SpeechSynthesisUtterance(textToRead(form))
    utterance.lang = lang
    utterance.rate = 0.9
    synth.speak(utterance)
  })
}

if (synth && 'SpeechSynthesisUtterance' in window) {
  document.querySelectorAll('[data-module="app-read-aloud"]').forEach(setUp)
}
